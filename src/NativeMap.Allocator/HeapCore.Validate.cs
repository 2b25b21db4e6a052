namespace NativeMap.Allocator;

// Validate(): every invariant of the heap, checked with every thread cache held and every lock taken.
internal sealed unsafe partial class HeapCore
{
    /// <summary>
    /// Checks every invariant of the heap and throws <see cref="InvalidOperationException"/> naming the first one
    /// broken. Holds every cache and lock while it runs, so it is for tests and debugging, not for production paths.
    /// </summary>
    public void Validate()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        lock (_drainLock)
        {
            List<ThreadCache> caches;
            lock (_cachesLock)
            {
                caches = [.. _caches];
            }

            HoldAll(caches);
            int locked = 0;
            try
            {
                for (int c = 1; c < _central.Length; c++, locked++)
                {
                    _central[c].Lock.Enter();
                }

                lock (_pages.Lock)
                {
                    var smallSpans = new List<HeapSpan>();
                    _pages.ValidateLocked(smallSpans);
                    ValidateSmallLocked(smallSpans, caches);
                }
            }
            finally
            {
                for (int c = locked; c >= 1; c--)
                {
                    _central[c].Lock.Exit();
                }

                ReleaseAll(caches);
            }
        }
    }

    private void ValidateSmallLocked(List<HeapSpan> smallSpans, List<ThreadCache> caches)
    {
        // Blocks in thread caches: each a free block start of a span of its class, cached once.
        var cachedPerSpan = new Dictionary<HeapSpan, int>();
        var cachedBlocks = new HashSet<nuint>();
        foreach (ThreadCache cache in caches)
        {
            for (int c = 1; c < SizeClasses.Count; c++)
            {
                foreach (CacheEntry entry in cache.Entries(c))
                {
                    nuint block = entry.Block & ~ThreadCache.ZeroTag;
                    HeapSpan span = _pages.FindSpan(block);
                    Invariant.Check(!span.IsNull && span.State == SpanState.Small && span.SizeClass == c && span.Contains(block),
                        "a cached block belongs to a span of its class", $"0x{(ulong)block:x} in class {c}: {span}");
                    nuint offset = block - span.Base;
                    int index = (int)(offset / (nuint)span.ObjectSize);
                    Invariant.Check((nuint)index * (nuint)span.ObjectSize == offset && index < span.BumpIndex,
                        "a cached block is a handed-out block start", $"0x{(ulong)block:x} in {span}");
                    Invariant.Check(entry.State == span.ObjectStates + index && *entry.State == HeapSpan.ObjectFree,
                        "a cached block is marked free", $"0x{(ulong)block:x}");
                    Invariant.Check(cachedBlocks.Add(block), "a block is cached once", $"0x{(ulong)block:x}");
                    if ((entry.Block & ThreadCache.ZeroTag) != 0)
                    {
                        Invariant.Check(span.FreshZero && new ReadOnlySpan<byte>((void*)block, span.ObjectSize).IndexOfAnyExcept((byte)0) < 0,
                            "a block tagged zero reads as zero", $"0x{(ulong)block:x}");
                    }

                    cachedPerSpan[span] = cachedPerSpan.GetValueOrDefault(span) + 1;
                }
            }
        }

        long allocatedObjects = 0, allocatedBytes = 0;
        var spans = new int[SizeClasses.Count];
        var usedSpans = new int[SizeClasses.Count];
        var usedBlocks = new long[SizeClasses.Count];
        foreach (HeapSpan span in smallSpans)
        {
            int c = span.SizeClass;
            Invariant.Check(c >= 1 && c < SizeClasses.Count && span.ObjectSize == SizeClasses.Size[c]
                && span.ObjectCount == SizeClasses.ObjectsPerSpan[c] && span.PageCount == SizeClasses.SpanPages[c]
                && span.DivMagic == SizeClasses.DivMagic[c], "small span geometry matches its class", span.ToString());
            Invariant.Check(span.FreeCount >= 0 && span.FreeCount <= span.BumpIndex && span.BumpIndex <= span.ObjectCount,
                "0 ≤ FreeCount ≤ BumpIndex ≤ ObjectCount", span.ToString());

            var onFreeList = new bool[span.ObjectCount];
            int listed = 0;
            for (nuint block = span.FreeList; block != 0; block = *(nuint*)block)
            {
                Invariant.Check(span.Contains(block), "free list stays in its span", span.ToString());
                nuint offset = block - span.Base;
                int index = (int)(offset / (nuint)span.ObjectSize);
                Invariant.Check((nuint)index * (nuint)span.ObjectSize == offset && index < span.BumpIndex && !onFreeList[index]
                    && span.ObjectStates[index] == HeapSpan.ObjectFree, "free list holds distinct free block starts", $"0x{(ulong)block:x} in {span}");
                Invariant.Check(!cachedBlocks.Contains(block), "a block is not both cached and on a free list", $"0x{(ulong)block:x}");
                onFreeList[index] = true;
                Invariant.Check(++listed <= span.FreeCount, "free list length", span.ToString());
            }

            Invariant.Check(listed == span.FreeCount, "free list length", $"{span}: {listed} listed, {span.FreeCount} recorded");

            int allocated = 0;
            for (int i = 0; i < span.ObjectCount; i++)
            {
                byte state = span.ObjectStates[i];
                Invariant.Check(state == HeapSpan.ObjectFree || (state == HeapSpan.ObjectAllocated && i < span.BumpIndex && !onFreeList[i]),
                    "block states are free or allocated, and only handed-out blocks are allocated", $"block {i} of {span}");
                if (state == HeapSpan.ObjectAllocated)
                {
                    allocated++;
                }
            }

            int cached = cachedPerSpan.GetValueOrDefault(span);
            Invariant.Check(allocated + cached == span.OutCount, "blocks out of a span = allocated + cached (none lost)",
                $"{span}: {allocated} allocated + {cached} cached ≠ {span.OutCount} out");

            CentralList central = _central[c];
            bool shouldBePartial = span.HasFreeObjects && span.OutCount > 0;
            Invariant.Check(span.InPartialList == shouldBePartial, "partial list holds exactly the spans with free and out blocks", span.ToString());
            Invariant.Check(span.OutCount > 0 || central.RetainedEmpty == span, "a span with no block out is the retained one", span.ToString());
            allocatedObjects += allocated;
            allocatedBytes += (long)allocated * span.ObjectSize;
            spans[c]++;
            usedSpans[c] += span.OutCount > 0 ? 1 : 0;
            usedBlocks[c] += span.OutCount;
        }

        for (int c = 1; c < SizeClasses.Count; c++)
        {
            CentralList central = _central[c];
            int partial = 0;
            for (int bucket = 0; bucket < CentralList.FullnessBuckets; bucket++)
            {
                HeapSpan prev = default;
                Invariant.Check(central.IsMarkedNonEmpty(bucket) == !central.PartialHead(bucket).IsNull, "partial bucket bitmap", $"class {c}, bucket {bucket}");
                for (HeapSpan s = central.PartialHead(bucket); !s.IsNull; prev = s, s = s.PartialLinks.Next)
                {
                    Invariant.Check(s.State == SpanState.Small && s.SizeClass == c && s.InPartialList && s.PartialLinks.Prev == prev,
                        "partial list links", s.ToString());
                    Invariant.Check(central.BucketOf(s.OutCount) == bucket, "a partial span is on the list of its fullness", $"{s}: {s.OutCount} out, bucket {bucket}");
                    partial++;
                }
            }

            (int spanCount, int usedSpanCount, long usedBlockCount) = central.CountersLocked();
            Invariant.Check(spanCount == spans[c] && usedSpanCount == usedSpans[c] && usedBlockCount == usedBlocks[c],
                "class counters: spans, spans with blocks out, blocks out", $"class {c}: ({spanCount}, {usedSpanCount}, {usedBlockCount}) recorded, ({spans[c]}, {usedSpans[c]}, {usedBlocks[c]}) counted");
            Invariant.Check(partial <= spans[c], "partial spans are spans of the class", $"class {c}");

            if (_central[c].RetainedEmpty is { IsNull: false } retained)
            {
                Invariant.Check(retained.State == SpanState.Small && retained.SizeClass == c && retained.OutCount == 0 && !retained.InPartialList,
                    "retained span is an empty span of its class", retained.ToString());
            }
        }

        (long objects, long bytes, _) = CacheCounters();
        Invariant.Check(objects == allocatedObjects && bytes == allocatedBytes, "live small-block counters match the block states",
            $"counters {objects} blocks / {bytes} bytes, states {allocatedObjects} / {allocatedBytes}");
    }
}
