using System.Numerics;

namespace NativeMap.Allocator;

/// <summary>
/// A contiguous reservation of address space, carved into spans of 8 KiB pages, with the per-page metadata the heap
/// needs: which span owns each page, which pages are released to the OS, and when each page last became free.
/// </summary>
/// <remarks>
/// Arenas are aligned to the heap's arena size, so <see cref="ArenaIndex"/> finds one from an address in O(1). An
/// allocation larger than an arena gets an arena of its own, a whole multiple of the arena size. Arenas are never
/// unmapped before the heap is disposed (as in Go): their idle pages are released instead.
/// All mutable state is guarded by the page heap's lock, except that <see cref="Owner"/> entries of in-use spans are
/// read without it by <see cref="HeapCore.Free"/> (see <see cref="Owner"/>).
/// </remarks>
internal sealed class Arena
{
    /// <summary>First byte. Aligned to the heap's arena size.</summary>
    public readonly nuint Base;

    /// <summary>Number of 8 KiB pages.</summary>
    public readonly int PageCount;

    /// <summary>Bytes reserved, as an address-sized count (<see cref="Bytes"/> as <see cref="nuint"/>).</summary>
    public readonly nuint Size;

    /// <summary>
    /// Page → span id (a slot of the page heap's native descriptor pool; 0 = none). Invariants: every page of an in-use span
    /// (<see cref="SpanState.Large"/>, <see cref="SpanState.Small"/>) maps to it; the first and last pages of a free or
    /// scavenging span map to it; interior pages of a free span may hold anything (a stale id), so lookups validate
    /// what they find against the span's own range and state. Ids rather than references: filling the map for a large
    /// span is then a plain vectorised store with no GC write barrier per page, and the map is half the size.
    /// </summary>
    public readonly int[] Owner;

    /// <summary>
    /// One bit per page: set when the page is released to the OS (or was never touched). Invariant: only pages of free
    /// or scavenging spans have the bit; allocation clears it. On Linux and Windows a released page reads as zero.
    /// </summary>
    public readonly ulong[] Released;

    /// <summary>
    /// Time (<see cref="HeapClock.Now"/>) at which each page last became free. Meaningful only for
    /// dirty (unreleased) pages of free spans; the scavenger releases a page once <c>now - FreedAt ≥ decay</c>.
    /// 8 bytes per 8 KiB page: 0.1 % of the arena.
    /// </summary>
    public readonly long[] FreedAt;

    /// <summary>
    /// One bit per huge page of the arena (an aligned run of <see cref="HugePages"/> pages; none when huge pages are
    /// off): set while the range may carry <c>MADV_HUGEPAGE</c> advice. Invariant: an advised huge page lies wholly in
    /// one free or scavenging span, or wholly in one huge large span (one of at least <see cref="HugePages"/> pages),
    /// or has its <see cref="HugeUnadvising"/> bit set; every whole huge page of a huge large span is advised.
    /// </summary>
    public readonly ulong[] HugeAdvised;

    /// <summary>One bit per huge page: the advice is being withdrawn (<c>MADV_NOHUGEPAGE</c>, without the lock) because
    /// a smaller span now uses part of it. Invariant: a subset of <see cref="HugeAdvised"/>; both bits are cleared, under
    /// the lock, once the call has returned.</summary>
    public readonly ulong[] HugeUnadvising;

    /// <summary>Pages per huge page, or 0 when the heap does not use huge pages.</summary>
    public readonly int HugePages;

    public Arena(nuint baseAddress, int pageCount, int hugePages = 0)
    {
        Base = baseAddress;
        PageCount = pageCount;
        Size = (nuint)pageCount << Pages.PageShift;
        Owner = new int[pageCount];
        Released = new ulong[(pageCount + 63) >> 6];
        FreedAt = new long[pageCount];
        HugePages = hugePages;
        int hugeCount = hugePages == 0 ? 0 : pageCount / hugePages;
        HugeAdvised = new ulong[(hugeCount + 63) >> 6];
        HugeUnadvising = new ulong[(hugeCount + 63) >> 6];
    }

    /// <summary>Huge pages in the arena (0 when the heap does not use them).</summary>
    public int HugeCount => HugePages == 0 ? 0 : PageCount / HugePages;

    /// <summary>Whether page <paramref name="page"/> lies in an advised huge page.</summary>
    public bool InAdvisedHugePage(int page) => HugePages != 0 && IsHugeAdvised(page / HugePages);

    public bool IsHugeAdvised(int huge) => (HugeAdvised[huge >> 6] & (1UL << huge)) != 0;

    public bool IsHugeUnadvising(int huge) => (HugeUnadvising[huge >> 6] & (1UL << huge)) != 0;

    public void SetHugeAdvised(int huge, bool value) => SetBit(HugeAdvised, huge, value);

    public void SetHugeUnadvising(int huge, bool value) => SetBit(HugeUnadvising, huge, value);

    /// <summary>Bytes reserved.</summary>
    public long Bytes => (long)PageCount << Pages.PageShift;

    /// <summary>Approximate managed bytes held for this arena's metadata.</summary>
    public long MetadataBytes => ((long)PageCount * (sizeof(int) + sizeof(long))) + ((Released.Length + (2L * HugeAdvised.Length)) * sizeof(ulong));

    public nuint PageAddress(int page) => Base + ((nuint)(uint)page << Pages.PageShift);

    public bool IsReleased(int page) => (Released[page >> 6] & (1UL << page)) != 0;

    /// <summary>Sets the released bit on [start, start + count).</summary>
    public void SetReleased(int start, int count) => UpdateReleased(start, count, set: true);

    /// <summary>Clears the released bit on [start, start + count).</summary>
    public void ClearReleased(int start, int count) => UpdateReleased(start, count, set: false);

    /// <summary>Number of released pages in [start, start + count).</summary>
    public int CountReleased(int start, int count)
    {
        int total = 0;
        int page = start;
        int end = start + count;
        while (page < end)
        {
            ulong mask = WordMask(page, end, out int take);
            total += BitOperations.PopCount(Released[page >> 6] & mask);
            page += take;
        }

        return total;
    }

    /// <summary>The first page in [from, end) without the released bit, or -1. Skips 64 released pages at a time.</summary>
    public int NextUnreleased(int from, int end)
    {
        int page = from;
        while (page < end)
        {
            int word = page >> 6;
            ulong dirty = ~Released[word] & (ulong.MaxValue << (page & 63));
            if (dirty != 0)
            {
                int found = (word << 6) + BitOperations.TrailingZeroCount(dirty);
                return found < end ? found : -1;
            }

            page = (word + 1) << 6;
        }

        return -1;
    }

    /// <summary>Writes <paramref name="timestamp"/> as the free time of [start, start + count).</summary>
    public void StampFreed(int start, int count, long timestamp) => FreedAt.AsSpan(start, count).Fill(timestamp);

    private void UpdateReleased(int start, int count, bool set)
    {
        int page = start;
        int end = start + count;
        while (page < end)
        {
            ulong mask = WordMask(page, end, out int take);
            ref ulong word = ref Released[page >> 6];
            word = set ? word | mask : word & ~mask;
            page += take;
        }
    }

    private static void SetBit(ulong[] bits, int index, bool value)
    {
        ref ulong word = ref bits[index >> 6];
        word = value ? word | (1UL << index) : word & ~(1UL << index);
    }

    /// <summary>The bits of pages [page, min(end, next multiple of 64)) within their bitmap word.</summary>
    private static ulong WordMask(int page, int end, out int take)
    {
        int bit = page & 63;
        take = Math.Min(64 - bit, end - page);
        return take == 64 ? ulong.MaxValue : ((1UL << take) - 1) << bit;
    }
}
