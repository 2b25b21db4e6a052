namespace NativeMap.Allocator;

// Page-level invariants, checked by HeapCore.Validate with every lock held.
internal sealed unsafe partial class PageHeap
{
    /// <summary>
    /// Checks the page level: spans tile each arena, the page map, released bits and counts, the free index and the dirty
    /// list, and the page accounting. Adds every small-object span to <paramref name="smallSpans"/>.
    /// </summary>
    public void ValidateLocked(List<HeapSpan> smallSpans)
    {
        long inUse = 0, idle = 0, released = 0, reserved = 0, large = 0, advised = 0;
        int spanCount = 0;
        int[] smallPerPool = new int[_statePools.Length];
        int freeSpans = 0, dirtySpans = 0;
        Invariant.Check(_growthDebtPages >= 0 && (_releaseOnGrowth || _growthDebtPages == 0),
            "growth debt is non-negative, and zero when release on growth is off", _growthDebtPages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (Arena arena in _arenas)
        {
            Invariant.Check(_index.Find(arena.Base) == arena && _index.Find(arena.Base + (nuint)arena.Bytes - 1) == arena,
                "arena indexed", $"arena 0x{(ulong)arena.Base:x}");
            reserved += arena.PageCount;
            HeapSpan previous = default;
            for (int page = 0; page < arena.PageCount;)
            {
                HeapSpan span = OwnerLocked(arena, page);
                Invariant.Check(!span.IsNull && ArenaOf(span) == arena && span.StartPage == page && span.PageCount >= 1
                    && span.EndPage <= arena.PageCount, "spans tile the arena", $"page {page} of arena 0x{(ulong)arena.Base:x}: {span}");
                Invariant.Check(span.Base == arena.PageAddress(page), "span base matches its first page", span.ToString());
                Invariant.Check(arena.Owner[span.EndPage - 1] == span.Id, "last page maps to its span", span.ToString());
                int rel = arena.CountReleased(span.StartPage, span.PageCount);
                switch (span.State)
                {
                    case SpanState.Large:
                    case SpanState.Small:
                        for (int p = span.StartPage; p < span.EndPage; p++)
                        {
                            Invariant.Check(arena.Owner[p] == span.Id, "every page of an in-use span maps to it", $"page {p} of {span}");
                        }

                        Invariant.Check(rel == 0, "no released page in use", span.ToString());
                        Invariant.Check(span.Bin == -1 && !span.InDirtyList, "in-use span not in the free index", span.ToString());
                        inUse += span.PageCount;
                        if (span.State == SpanState.Large)
                        {
                            large++;
                        }
                        else
                        {
                            smallSpans.Add(span);
                        }

                        break;

                    case SpanState.Free:
                        Invariant.Check((previous.IsNull || previous.State != SpanState.Free), "free neighbours are coalesced", $"{previous} then {span}");
                        Invariant.Check(span.Bin == FreeSpans.BinOf(span.PageCount), "free span is in its bin", span.ToString());
                        Invariant.Check(rel == span.ReleasedPages, "released count matches the bitmap", $"{span}: {span.ReleasedPages} recorded, {rel} in bitmap");
                        Invariant.Check(span.InDirtyList == (rel < span.PageCount), "dirty list holds exactly the free spans with dirty pages", span.ToString());
                        if (span.InDirtyList)
                        {
                            Invariant.Check(span.OldestDirty <= ExactOldestDirty(span), "OldestDirty is a lower bound", span.ToString());
                            dirtySpans++;
                        }

                        freeSpans++;
                        idle += span.PageCount - rel;
                        released += rel;
                        break;

                    case SpanState.Scavenging:
                        Invariant.Check(span.Bin == -1 && !span.InDirtyList, "scavenging span not in the free index", span.ToString());
                        Invariant.Check(rel == span.ReleasedPages && span.DirtyInRun == span.PageCount - rel, "scavenging run counts", span.ToString());
                        idle += span.PageCount - rel;
                        released += rel;
                        break;

                    default:
                        Invariant.Fail("no dead descriptor in the page map", span.ToString());
                        break;
                }

                if (_hugePages != 0)
                {
                    ValidateHugeLocked(span);
                }

                Invariant.Check(span.Id > 0 && Span(span.Id) == span && span.ArenaIndex >= 0 && _arenas[span.ArenaIndex] == arena,
                    "a span's descriptor is the pool slot of its id, in its arena", span.ToString());
                if (span.State == SpanState.Small)
                {
                    int pool = StatePool(span.ObjectCount);
                    smallPerPool[pool]++;
                    Invariant.Check(span.StatesSlot >> StateSlotBits == pool && span.ObjectStates == _statePools[pool].Address(span.StatesSlot & ((1 << StateSlotBits) - 1)),
                        "a small span's states are a slot of the pool for its block count", span.ToString());
                }

                spanCount++;
                previous = span;
                page = span.EndPage;
            }

            for (int h = 0; h < arena.HugeCount; h++)
            {
                Invariant.Check(arena.IsHugeAdvised(h) || !arena.IsHugeUnadvising(h), "an unadvising huge page is advised", $"huge page {h} of arena 0x{(ulong)arena.Base:x}");
                advised += arena.IsHugeAdvised(h) ? _hugePages : 0;
            }
        }

        Invariant.Check(advised == _hugeAdvisedPages, "advised huge page count", $"{_hugeAdvisedPages} recorded, {advised} counted");

        // Metadata: every live span has a live descriptor; every small span a live state slot; the pools' counts add up.
        _descriptors.ValidateLocked("descriptor pool");
        for (int i = 0; i < _statePools.Length; i++)
        {
            _statePools[i].ValidateLocked($"state pool {_statePools[i].SlotSize}");
        }

        Invariant.Check(_descriptors.LiveSlots == spanCount, "one live descriptor per span", $"{_descriptors.LiveSlots} live, {spanCount} spans");
        for (int i = 0; i < _statePools.Length; i++)
        {
            Invariant.Check(_statePools[i].LiveSlots == smallPerPool[i], "one live state slot per small span", $"pool {_statePools[i].SlotSize}: {_statePools[i].LiveSlots} live, {smallPerPool[i]} spans");
        }

        Invariant.Check(inUse == _inUsePages, "in-use page count", $"{_inUsePages} recorded, {inUse} counted");
        Invariant.Check(idle == _idlePages, "idle page count", $"{_idlePages} recorded, {idle} counted");
        Invariant.Check(released == _releasedPages, "released page count", $"{_releasedPages} recorded, {released} counted");
        Invariant.Check(reserved == _reservedPages && reserved == inUse + idle + released, "reserved = in use + idle + released",
            $"reserved {_reservedPages}, counted {reserved}, in use {inUse}, idle {idle}, released {released}");
        Invariant.Check(large == _largeObjects, "large object count", $"{_largeObjects} recorded, {large} counted");

        int binned = 0;
        for (int bin = 0; bin < FreeSpans.BinCount; bin++)
        {
            HeapSpan head = _free.Head(bin);
            Invariant.Check(_free.IsMarkedNonEmpty(bin) == !head.IsNull, "bin bitmap matches the bins", $"bin {bin}");
            HeapSpan prev = default;
            for (HeapSpan s = head; !s.IsNull; prev = s, s = s.BinLinks.Next)
            {
                Invariant.Check(s.State == SpanState.Free && s.Bin == bin && s.BinLinks.Prev == prev, "bin list links", $"bin {bin}: {s}");
                binned++;
            }
        }

        Invariant.Check(binned == freeSpans && binned == _free.Count, "every free span is binned once", $"{binned} binned, {freeSpans} free, {_free.Count} counted");

        int dirty = 0;
        HeapSpan before = default;
        for (HeapSpan s = _free.DirtyHead; !s.IsNull; before = s, s = s.DirtyLinks.Next)
        {
            Invariant.Check(s.State == SpanState.Free && s.InDirtyList && s.DirtyLinks.Prev == before, "dirty list links", s.ToString());
            dirty++;
        }

        Invariant.Check(dirty == dirtySpans && dirty == _free.DirtyCount, "dirty list length", $"{dirty} listed, {dirtySpans} dirty spans");
        Invariant.Check(before == _free.DirtyTail, "dirty list tail is its last span", _free.DirtyTail.ToString());
    }

    /// <summary>
    /// The huge page invariants of one span (see <see cref="Arena.HugeAdvised"/>): a huge large span starts on a huge page
    /// boundary and has each of its whole huge pages advised; an advised huge page this span overlaps lies wholly in it
    /// and it is free, scavenging or huge, unless the advice is being withdrawn.
    /// </summary>
    private void ValidateHugeLocked(HeapSpan span)
    {
        Arena arena = ArenaOf(span);
        int hp = _hugePages;
        bool huge = span.State == SpanState.Large && span.PageCount >= hp;
        if (huge)
        {
            Invariant.Check(span.StartPage % hp == 0, "a huge span starts on a huge page boundary", span.ToString());
        }

        for (int h = span.StartPage / hp; h * hp < span.EndPage; h++)
        {
            bool whole = h * hp >= span.StartPage && (h + 1) * hp <= span.EndPage;
            if (huge && whole)
            {
                Invariant.Check(arena.IsHugeAdvised(h), "every whole huge page of a huge span is advised", $"huge page {h} of {span}");
            }

            if (arena.IsHugeAdvised(h) && !arena.IsHugeUnadvising(h))
            {
                Invariant.Check(whole && (huge || span.State is SpanState.Free or SpanState.Scavenging),
                    "an advised huge page lies wholly in one free, scavenging or huge span", $"huge page {h} of {span}");
            }
        }
    }
}
