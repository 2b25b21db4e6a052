namespace NativeMap.Allocator;

/// <summary>
/// The central free list of one size class (Go's <c>mcentral</c>): the spans of the class that have free blocks, from
/// which thread caches refill a batch at a time and to which they return batches.
/// </summary>
/// <remarks>
/// <para><b>Spans.</b> A span of the class is in one of three places: on a <i>partial</i> list (some blocks free in
/// the span, some out), <i>full</i> (no free block in the span; on no list, found again through the page map when a
/// block comes back), or <i>retained empty</i> (every block back; at most one per class, kept so that a class that
/// empties and refills does not take a span from the page heap each time). A second span that empties goes back to
/// the page heap at once, and so does the retained one once it has been empty for the scavenger's maintenance
/// interval, or on <see cref="SpanHeap.FreeOSMemory"/>.</para>
/// <para><b>Blocks in a span.</b> Blocks returned to the span sit on an intrusive list (the next pointer in the block's
/// first word). Blocks never handed out are above <see cref="HeapSpan.BumpIndex"/>: they are taken in address order,
/// and when the span was carved from zero pages they are known to read as zero.</para>
/// <para><b>Fullest first.</b> Partial spans are kept in <see cref="FullnessBuckets"/> lists by the share of their blocks
/// that are out (bucket <c>⌊8 · out / blocks⌋</c>, through a multiply), with a bitmap of the non-empty ones, and a refill
/// takes the head of the fullest. Blocks handed out thus go to the spans that already hold the most, and the sparse ones
/// are left to empty and go back to the page level: what a compactor moving blocks out of sparse spans needs
/// (<see cref="SpanHeap.ShouldMove"/>, <see cref="SpanHeap.Relocate"/>), and what scattered frees need anyway. (Go's
/// <c>mcentral</c> and tcmalloc's central lists do the same with a few buckets; jemalloc takes the oldest slab.) Moving a
/// span between buckets is O(1) and happens only when its count crosses a bucket boundary. The thread caches in front
/// are unchanged: they pop the block freed last (LIFO, warm), whatever its span, so this preference applies at each
/// refill, and a compactor goes around the caches both ways (<see cref="TakeOne"/>, a free straight to the span).</para>
/// <para><b>Counts for the defrag hint and the fragmentation figures</b>, kept under the lock and read without it (a
/// hint may be a little stale): spans of the class, blocks out of them, and the spans with blocks out.</para>
/// <para><b>Lock.</b> <see cref="_lock"/> guards the lists and the block fields of every span of the class. It is taken
/// before the page heap's lock, never after it.</para>
/// </remarks>
internal sealed unsafe class CentralList
{
    /// <summary>Partial lists by fullness.</summary>
    public const int FullnessBuckets = 8;

    private readonly Lock _lock = new();
    private readonly PageHeap _pages;
    private readonly HeapClock _clock;
    private readonly int _sizeClass;

    /// <summary><c>⌊2^32 · FullnessBuckets / blocks per span⌋</c>: the bucket of a span with <c>out</c> blocks out is
    /// <c>(out · _bucketMagic) &gt;&gt; 32</c>, monotonic in <c>out</c> and below <see cref="FullnessBuckets"/> for a
    /// partial span.</summary>
    private readonly ulong _bucketMagic;

    /// <summary>Heads of the partial lists by fullness (linked through <see cref="HeapSpan.PartialLinks"/>). Invariant: a
    /// span is on list <see cref="BucketOf"/>(its out count) iff it has free blocks and blocks out.</summary>
    private readonly HeapSpan[] _partial = new HeapSpan[FullnessBuckets];

    /// <summary>Bit b set iff partial list b is not empty.</summary>
    private int _nonEmpty;

    /// <summary>The retained empty span, or null. Not on the partial list.</summary>
    private HeapSpan _empty;

    /// <summary>When <see cref="_empty"/> became empty.</summary>
    private long _emptySince;

    /// <summary>Spans of the class (in use as small spans: partial, full or retained).</summary>
    private int _spans;

    /// <summary>Spans of the class with at least one block out.</summary>
    private int _usedSpans;

    /// <summary>Blocks out of the class's spans (with callers or in thread caches): the sum of their out counts.</summary>
    private long _usedBlocks;

    public CentralList(PageHeap pages, HeapClock clock, int sizeClass)
    {
        _pages = pages;
        _clock = clock;
        _sizeClass = sizeClass;
        _bucketMagic = ((ulong)FullnessBuckets << 32) / (ulong)SizeClasses.ObjectsPerSpan[sizeClass];
    }

    /// <summary>The lock, for validation, which holds every lock at once.</summary>
    public Lock Lock => _lock;

    /// <summary>The retained empty span, for validation (under <see cref="Lock"/>).</summary>
    public HeapSpan RetainedEmpty => _empty;

    /// <summary>Spans of the class (read without the lock: may be stale).</summary>
    public int Spans => Volatile.Read(ref _spans);

    /// <summary>Spans with blocks out (read without the lock: may be stale).</summary>
    public int UsedSpans => Volatile.Read(ref _usedSpans);

    /// <summary>Blocks out of the class's spans (read without the lock: may be stale).</summary>
    public long UsedBlocks => Volatile.Read(ref _usedBlocks);

    /// <summary>The span the next refill draws from: the head of the fullest partial list, or null. Read without the
    /// lock: may be stale.</summary>
    public HeapSpan Current
    {
        get
        {
            int nonEmpty = Volatile.Read(ref _nonEmpty);
            return nonEmpty == 0 ? default : _partial[31 - System.Numerics.BitOperations.LeadingZeroCount((uint)nonEmpty)];
        }
    }

    /// <summary>The partial list of a bucket, for validation (under <see cref="Lock"/>).</summary>
    public HeapSpan PartialHead(int bucket) => _partial[bucket];

    /// <summary>Whether the bitmap marks a bucket non-empty, for validation.</summary>
    public bool IsMarkedNonEmpty(int bucket) => (_nonEmpty & (1 << bucket)) != 0;

    /// <summary>The partial list a span with <paramref name="outCount"/> blocks out belongs on.</summary>
    public int BucketOf(int outCount) => (int)(((ulong)(uint)outCount * _bucketMagic) >> 32);

    /// <summary>Counts for validation, under the lock: spans, spans with blocks out, blocks out.</summary>
    public (int Spans, int UsedSpans, long UsedBlocks) CountersLocked() => (_spans, _usedSpans, _usedBlocks);

    /// <summary>The same counts, consistent with each other (takes the lock).</summary>
    public (int Spans, int UsedSpans, long UsedBlocks) Counters()
    {
        lock (_lock)
        {
            return CountersLocked();
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with free blocks, from the fullest partial span first, taking spans from the
    /// page heap as needed. Returns the number filled (all of them, unless the page heap runs out after at least one).
    /// </summary>
    /// <exception cref="OutOfMemoryException">Not one block could be had.</exception>
    public int Refill(Span<CacheEntry> destination)
    {
        lock (_lock)
        {
            int filled = 0;
            while (filled < destination.Length)
            {
                HeapSpan span;
                if (_nonEmpty != 0)
                {
                    span = _partial[31 - System.Numerics.BitOperations.LeadingZeroCount((uint)_nonEmpty)];
                    RemovePartialLocked(span);
                }
                else if (!_empty.IsNull)
                {
                    span = _empty;
                    _empty = default;
                }
                else
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
                if (span.HasFreeObjects)
                {
                    AddPartialLocked(span);
                }
            }

            return filled;
        }
    }

    /// <summary>One free block, from the fullest partial span (a refill of one, for a compactor that must not take a
    /// block a thread cache holds).</summary>
    /// <exception cref="OutOfMemoryException">No block could be had.</exception>
    public CacheEntry TakeOne()
    {
        CacheEntry entry = default;
        _ = Refill(new Span<CacheEntry>(ref entry));
        return entry;
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
                int before = span.OutCount;
                *(nuint*)block = span.FreeList;
                span.FreeList = block;
                span.FreeCount++;
                _usedBlocks--;
                if (before == 1)
                {
                    // Now empty.
                    _usedSpans--;
                    if (span.InPartialList)
                    {
                        RemovePartialLocked(span, before);
                    }

                    RetainOrFreeLocked(span);
                }
                else if (!span.InPartialList)
                {
                    AddPartialLocked(span); // was full
                }
                else if (BucketOf(before) != BucketOf(before - 1))
                {
                    RemovePartialLocked(span, before);
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
        span.InPartialList = false;
        _spans++;
        return span;
    }

    /// <summary>Takes up to destination.Length blocks from a span (on no list): returned blocks first, then never-used ones.</summary>
    private int TakeLocked(HeapSpan span, Span<CacheEntry> destination)
    {
        int before = span.OutCount;
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

        _usedBlocks += taken;
        if (before == 0 && taken > 0)
        {
            _usedSpans++;
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
        _spans--;
        _pages.FreeSpan(span);
    }

    /// <summary>Puts a span (with free blocks and blocks out) on the list of its fullness.</summary>
    private void AddPartialLocked(HeapSpan span)
    {
        int bucket = BucketOf(span.OutCount);
        SpanList.PushFront<PartialLinks>(ref _partial[bucket], span);
        _nonEmpty |= 1 << bucket;
        span.InPartialList = true;
    }

    /// <summary>Takes a span off its partial list; <paramref name="outCount"/> is the out count it was filed under.</summary>
    private void RemovePartialLocked(HeapSpan span, int outCount)
    {
        int bucket = BucketOf(outCount);
        SpanList.Remove<PartialLinks>(ref _partial[bucket], span);
        if (_partial[bucket].IsNull)
        {
            _nonEmpty &= ~(1 << bucket);
        }

        span.InPartialList = false;
    }

    private void RemovePartialLocked(HeapSpan span) => RemovePartialLocked(span, span.OutCount);
}
