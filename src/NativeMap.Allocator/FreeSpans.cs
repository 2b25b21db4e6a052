using System.Numerics;

namespace NativeMap.Allocator;

/// <summary>
/// The free-span index: segregated bins with a bitmap of the non-empty ones (TLSF-style "good fit"), plus the dirty
/// list the scavenger walks. Guarded by the page heap's lock.
/// </summary>
/// <remarks>
/// <para><b>Bins.</b> Spans of 1..64 pages have a bin each (exact fit). Above that, every power of two is split into
/// eight bins, so a bin's sizes differ by at most 12.5 %. Finding a span of n pages: look in n's bin (exact bins: any
/// span fits; ranged bins: check the first few entries), then take the head of the next non-empty bin, found with one
/// <see cref="BitOperations.TrailingZeroCount(ulong)"/> per bitmap word. O(1) whatever the number of free spans.</para>
/// <para><b>Why good fit and not address-ordered first fit.</b> Good fit leaves large runs whole for large requests,
/// which matters when bucket arrays of tens of MiB come and go among small spans; it costs O(1), where first fit needs
/// Go's radix summary tree to be fast. Within a bin the list is LIFO, so the most recently freed (warm, resident) run is
/// reused first and old runs are left to age into release.</para>
/// <para><b>Dirty list.</b> List of free spans with at least one unreleased page, newest pushed at the front, with a tail
/// pointer, so every free and coalesce stays O(1) and the list is roughly in order of freeing. The decay's release walks
/// it from the tail (longest free) and takes the first span whose <see cref="HeapSpan.OldestDirty"/> has passed the
/// cutoff; the memory limit and growth debt, which release oldest first, take the oldest among the
/// <see cref="OldestProbe"/> spans at the tail (approximately the oldest: a span that coalesced with an older neighbour is
/// pushed at the front); an allocation that would reuse released pages looks at most <see cref="DirtyProbe"/> spans from
/// the head for resident ones. Free spans are not always few: a scattered delete with compaction leaves hundreds of thousands of them between
/// live spans, while the mutator keeps pushing young ones at the front; a whole-list scan per released run or per
/// allocation made that quadratic under the heap lock (10 M entries: a 90 % delete took minutes).</para>
/// </remarks>
internal sealed class FreeSpans
{
    /// <summary>Spans of up to this many pages have an exact bin.</summary>
    public const int ExactBins = 64;

    /// <summary>How many dirty spans, from the most recently freed, an allocation examines for resident pages before it
    /// settles for released ones.</summary>
    public const int DirtyProbe = 64;

    /// <summary>How many dirty spans, from the tail, the oldest-first release paths compare.</summary>
    public const int OldestProbe = 256;

    private const int SubBinBits = 3;
    private const int SubBins = 1 << SubBinBits;

    /// <summary>Bins for page counts up to 2^31.</summary>
    public const int BinCount = ExactBins + ((31 - 6) * SubBins) + SubBins;

    /// <summary>How many entries of a ranged bin are examined for a fit before moving to a larger bin.</summary>
    private const int RangedBinProbe = 8;

    private readonly HeapSpan[] _heads = new HeapSpan[BinCount];
    private readonly ulong[] _nonEmpty = new ulong[(BinCount + 63) / 64];
    private HeapSpan _dirtyHead;

    /// <summary>The dirty list's last span (the one pushed longest ago), or null when the list is empty.</summary>
    private HeapSpan _dirtyTail;

    /// <summary>Managed bytes of the index itself (bin heads and bitmap).</summary>
    public static long ManagedBytes => (BinCount * 8L) + (((BinCount + 63) / 64) * 8L);

    /// <summary>Free spans in the bins.</summary>
    public int Count { get; private set; }

    /// <summary>Spans in the dirty list.</summary>
    public int DirtyCount { get; private set; }

    /// <summary>Head of the dirty list (follow <see cref="HeapSpan.DirtyLinks"/>).</summary>
    public HeapSpan DirtyHead => _dirtyHead;

    /// <summary>Tail of the dirty list (follow <see cref="SpanLinks.Prev"/> of <see cref="HeapSpan.DirtyLinks"/>): the
    /// span added longest ago.</summary>
    public HeapSpan DirtyTail => _dirtyTail;

    /// <summary>The bin of a span of <paramref name="pages"/> pages.</summary>
    public static int BinOf(int pages)
    {
        if (pages <= ExactBins)
        {
            return pages - 1;
        }

        int k = BitOperations.Log2((uint)pages);
        int sub = (pages >> (k - SubBinBits)) & (SubBins - 1);
        return ExactBins + ((k - 6) * SubBins) + sub;
    }

    /// <summary>The smallest page count that falls in <paramref name="bin"/>.</summary>
    public static int MinPagesOf(int bin)
    {
        if (bin < ExactBins)
        {
            return bin + 1;
        }

        int k = 6 + ((bin - ExactBins) / SubBins);
        int sub = (bin - ExactBins) % SubBins;
        return Math.Max(ExactBins + 1, (SubBins + sub) << (k - SubBinBits));
    }

    /// <summary>Adds a free span at the head of its bin.</summary>
    public void Insert(HeapSpan span)
    {
        int bin = BinOf(span.PageCount);
        span.Bin = bin;
        SpanList.PushFront<BinLinks>(ref _heads[bin], span);
        _nonEmpty[bin >> 6] |= 1UL << bin;
        Count++;
    }

    /// <summary>Takes a span out of its bin.</summary>
    public void Remove(HeapSpan span)
    {
        int bin = span.Bin;
        SpanList.Remove<BinLinks>(ref _heads[bin], span);
        if (_heads[bin].IsNull)
        {
            _nonEmpty[bin >> 6] &= ~(1UL << bin);
        }

        span.Bin = -1;
        Count--;
    }

    /// <summary>A free span of at least <paramref name="pages"/> pages, or the null span. The span stays in the index.</summary>
    public HeapSpan FindFit(int pages)
    {
        int bin = BinOf(pages);
        HeapSpan candidate = _heads[bin];
        if (bin < ExactBins)
        {
            if (!candidate.IsNull)
            {
                return candidate;
            }
        }
        else
        {
            for (int probe = 0; !candidate.IsNull && probe < RangedBinProbe; probe++, candidate = candidate.BinLinks.Next)
            {
                if (candidate.PageCount >= pages)
                {
                    return candidate;
                }
            }
        }

        int larger = NextNonEmptyBin(bin + 1);
        return larger < 0 ? default : _heads[larger];
    }

    /// <summary>The head of a bin, for validation.</summary>
    public HeapSpan Head(int bin) => _heads[bin];

    /// <summary>Whether the bitmap marks a bin non-empty, for validation.</summary>
    public bool IsMarkedNonEmpty(int bin) => (_nonEmpty[bin >> 6] & (1UL << bin)) != 0;

    /// <summary>Adds a span to the dirty list.</summary>
    public void AddDirty(HeapSpan span)
    {
        if (_dirtyHead.IsNull)
        {
            _dirtyTail = span;
        }

        SpanList.PushFront<DirtyLinks>(ref _dirtyHead, span);
        span.InDirtyList = true;
        DirtyCount++;
    }

    /// <summary>The span with the smallest <see cref="HeapSpan.OldestDirty"/> among the <see cref="OldestProbe"/> spans at
    /// the tail of the dirty list, or null when it is empty; <paramref name="examined"/>: how many it compared.</summary>
    public HeapSpan OldestNearTail(out int examined)
    {
        HeapSpan best = default;
        examined = 0;
        for (HeapSpan s = _dirtyTail; !s.IsNull && examined < OldestProbe; s = s.DirtyLinks.Prev)
        {
            examined++;
            if (best.IsNull || s.OldestDirty < best.OldestDirty)
            {
                best = s;
            }
        }

        return best;
    }

    /// <summary>The smallest <see cref="HeapSpan.OldestDirty"/> among the <see cref="OldestProbe"/> spans at the head of
    /// the dirty list (where a span that coalesced with an older neighbour goes), or <see cref="long.MaxValue"/>.</summary>
    public long OldestDirtyNearHead()
    {
        long oldest = long.MaxValue;
        int examined = 0;
        for (HeapSpan s = _dirtyHead; !s.IsNull && examined < OldestProbe; s = s.DirtyLinks.Next, examined++)
        {
            oldest = Math.Min(oldest, s.OldestDirty);
        }

        return oldest;
    }

    /// <summary>Takes a span out of the dirty list.</summary>
    public void RemoveDirty(HeapSpan span)
    {
        if (span == _dirtyTail)
        {
            _dirtyTail = span.DirtyLinks.Prev;
        }

        SpanList.Remove<DirtyLinks>(ref _dirtyHead, span);
        span.InDirtyList = false;
        DirtyCount--;
    }

    /// <summary>Forgets every span (the heap is being disposed).</summary>
    public void Clear()
    {
        Array.Clear(_heads);
        Array.Clear(_nonEmpty);
        _dirtyHead = default;
        _dirtyTail = default;
        Count = 0;
        DirtyCount = 0;
    }

    private int NextNonEmptyBin(int from)
    {
        if (from >= BinCount)
        {
            return -1;
        }

        int word = from >> 6;
        ulong bits = _nonEmpty[word] & (ulong.MaxValue << (from & 63));
        while (true)
        {
            if (bits != 0)
            {
                return (word << 6) + BitOperations.TrailingZeroCount(bits);
            }

            if (++word == _nonEmpty.Length)
            {
                return -1;
            }

            bits = _nonEmpty[word];
        }
    }
}
