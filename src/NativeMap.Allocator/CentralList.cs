namespace NativeMap.Allocator;

/// <summary>
/// The central free list of one size class (Go's <c>mcentral</c>): the spans of the class that have free blocks, from
/// which thread caches refill a batch at a time and to which they return batches.
/// </summary>
/// <remarks>
/// <para><b>Spans.</b> A span of the class is in one of three places: on the <i>partial</i> list (some blocks free in
/// the span, some out), <i>full</i> (no free block in the span; on no list, found again through the page map when a
/// block comes back), or <i>retained empty</i> (every block back; at most one per class, kept so that a class that
/// empties and refills does not take a span from the page heap each time). A second span that empties goes back to
/// the page heap at once, and so does the retained one once it has been empty for the scavenger's maintenance
/// interval, or on <see cref="SpanHeap.FreeOSMemory"/>.</para>
/// <para><b>Blocks in a span.</b> Blocks returned to the span sit on an intrusive list (the next pointer in the block's
/// first word). Blocks never handed out are above <see cref="HeapSpan.BumpIndex"/>: they are taken in address order,
/// and when the span was carved from zero pages they are known to read as zero.</para>
/// <para><b>Lock.</b> <see cref="_lock"/> guards the lists and the block fields of every span of the class. It is taken
/// before the page heap's lock, never after it.</para>
/// </remarks>
internal sealed unsafe class CentralList
{
    private readonly Lock _lock = new();
    private readonly PageHeap _pages;
    private readonly HeapClock _clock;
    private readonly int _sizeClass;

    /// <summary>Head of the partial list (linked through <see cref="HeapSpan.PartialLinks"/>).</summary>
    private HeapSpan _partial;

    /// <summary>The retained empty span, or null. Not on the partial list.</summary>
    private HeapSpan _empty;

    /// <summary>When <see cref="_empty"/> became empty.</summary>
    private long _emptySince;

    public CentralList(PageHeap pages, HeapClock clock, int sizeClass)
    {
        _pages = pages;
        _clock = clock;
        _sizeClass = sizeClass;
    }

    /// <summary>The lock, for validation, which holds every lock at once.</summary>
    public Lock Lock => _lock;

    /// <summary>The retained empty span, for validation (under <see cref="Lock"/>).</summary>
    public HeapSpan RetainedEmpty => _empty;

    /// <summary>Head of the partial list, for validation (under <see cref="Lock"/>).</summary>
    public HeapSpan PartialHead => _partial;

    /// <summary>
    /// Fills <paramref name="destination"/> with free blocks, taking spans from the page heap as needed. Returns the
    /// number filled (all of them, unless the page heap runs out after at least one).
    /// </summary>
    /// <exception cref="OutOfMemoryException">Not one block could be had.</exception>
    public int Refill(Span<CacheEntry> destination)
    {
        lock (_lock)
        {
            int filled = 0;
            while (filled < destination.Length)
            {
                HeapSpan span = _partial.IsNull ? ReviveRetainedLocked() : _partial;
                if (span.IsNull)
                {
                    try
                    {
                        span = NewSpanLocked();
                    }
                    catch (OutOfMemoryException) when (filled > 0)
                    {
                        break;
                    }
                }

                filled += TakeLocked(span, destination[filled..]);
                if (!span.HasFreeObjects)
                {
                    RemovePartialLocked(span);
                }
            }

            return filled;
        }
    }

    /// <summary>Gives blocks back to their spans. A span whose blocks are all back is retained or freed to the page heap.</summary>
    public void Return(ReadOnlySpan<CacheEntry> entries)
    {
        lock (_lock)
        {
            foreach (ref readonly CacheEntry entry in entries)
            {
                nuint block = entry.Block & ~ThreadCache.ZeroTag;
                HeapSpan span = _pages.FindSpan(block);
                *(nuint*)block = span.FreeList;
                span.FreeList = block;
                span.FreeCount++;
                if (span.OutCount == 0)
                {
                    if (span.InPartialList)
                    {
                        RemovePartialLocked(span);
                    }

                    RetainOrFreeLocked(span);
                }
                else if (!span.InPartialList)
                {
                    AddPartialLocked(span);
                }
            }
        }
    }

    /// <summary>Frees the retained empty span to the page heap if it became empty at or before <paramref name="cutoff"/>.</summary>
    /// <returns>Whether a span is still retained.</returns>
    public bool TrimRetained(long cutoff)
    {
        lock (_lock)
        {
            if (!_empty.IsNull && _emptySince <= cutoff)
            {
                HeapSpan span = _empty;
                _empty = default;
                FreeSpanLocked(span);
            }

            return !_empty.IsNull;
        }
    }

    private HeapSpan ReviveRetainedLocked()
    {
        HeapSpan span = _empty;
        if (!span.IsNull)
        {
            _empty = default;
            AddPartialLocked(span);
        }

        return span;
    }

    private HeapSpan NewSpanLocked()
    {
        int pages = SizeClasses.SpanPages[_sizeClass];
        int objects = SizeClasses.ObjectsPerSpan[_sizeClass];

        // The page heap allocates the span's block-state array with it (native, all free).
        HeapSpan span = _pages.AllocateSpan(pages, SpanState.Small, zero: false, out bool allZero, objects);

        span.SizeClass = _sizeClass;
        span.ObjectSize = SizeClasses.Size[_sizeClass];
        span.ObjectCount = objects;
        span.DivMagic = SizeClasses.DivMagic[_sizeClass];
        span.FreeList = 0;
        span.FreeCount = 0;
        span.BumpIndex = 0;
        span.FreshZero = allZero;
        AddPartialLocked(span);
        return span;
    }

    /// <summary>Takes up to destination.Length blocks from a span: returned blocks first, then never-used ones.</summary>
    private static int TakeLocked(HeapSpan span, Span<CacheEntry> destination)
    {
        int taken = 0;
        while (taken < destination.Length && span.FreeCount > 0)
        {
            nuint block = span.FreeList;
            span.FreeList = *(nuint*)block;
            span.FreeCount--;
            uint index = (uint)(((ulong)(block - span.Base) * span.DivMagic) >> 32);
            destination[taken++] = new CacheEntry { Block = block, State = span.ObjectStates + index };
        }

        nuint zeroTag = span.FreshZero ? ThreadCache.ZeroTag : 0;
        while (taken < destination.Length && span.BumpIndex < span.ObjectCount)
        {
            int index = span.BumpIndex++;
            nuint block = span.Base + ((nuint)(uint)index * (nuint)(uint)span.ObjectSize);
            destination[taken++] = new CacheEntry { Block = block | zeroTag, State = span.ObjectStates + index };
        }

        return taken;
    }

    private void RetainOrFreeLocked(HeapSpan span)
    {
        if (!_empty.IsNull)
        {
            HeapSpan older = _empty;
            _empty = default;
            FreeSpanLocked(older);
        }

        _empty = span;
        _emptySince = _clock.Now();
    }

    private void FreeSpanLocked(HeapSpan span)
    {
        span.FreeList = 0;
        span.FreeCount = 0;
        span.BumpIndex = 0;
        span.ObjectCount = 0;
        _pages.FreeSpan(span);
    }

    private void AddPartialLocked(HeapSpan span)
    {
        SpanList.PushFront<PartialLinks>(ref _partial, span);
        span.InPartialList = true;
    }

    private void RemovePartialLocked(HeapSpan span)
    {
        SpanList.Remove<PartialLinks>(ref _partial, span);
        span.InPartialList = false;
    }
}
