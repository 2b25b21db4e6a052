namespace NativeMap.Allocator;

/// <summary>
/// Where a live block sits, from <see cref="SpanHeap.GetOccupancy"/>: how full its span is, how full its size class's
/// spans are on average, and whether moving the block would help the span empty (the defrag hint).
/// </summary>
/// <remarks>
/// "Used" blocks are those not free in their span: allocated to callers, or held free in a thread cache (both keep the
/// span from going back to the page level). Class figures are read without a lock and may be a little stale while
/// other threads allocate or free in the class.
/// </remarks>
public readonly record struct BlockOccupancy
{
    /// <summary>Whether the block is a small block (in a span shared with other blocks of its size class). Large blocks
    /// have a span of their own: <see cref="ShouldMove"/> is false and the span figures are 1 of 1.</summary>
    public bool IsSmall { get; init; }

    /// <summary>The block's usable size: its size class (or its span, for a large block).</summary>
    public int BlockSize { get; init; }

    /// <summary>Blocks the span holds.</summary>
    public int SpanCapacity { get; init; }

    /// <summary>Blocks of the span in use (allocated or in a thread cache), this one included.</summary>
    public int SpanUsed { get; init; }

    /// <summary><see cref="SpanUsed"/> / <see cref="SpanCapacity"/>.</summary>
    public double Occupancy => SpanCapacity == 0 ? 0 : (double)SpanUsed / SpanCapacity;

    /// <summary>Average occupancy of the class's spans with blocks in use, the span allocation draws from excluded.</summary>
    public double ClassAverageOccupancy { get; init; }

    /// <summary>Whether the span is the one the next refill of the class draws from (the fullest partial span).</summary>
    public bool IsAllocationSpan { get; init; }

    /// <summary>
    /// The defrag hint (jemalloc's rule): true when the span has a free block, is not the span allocation draws from, and
    /// is no fuller than the class's average (<c>used · spans ≤ class used</c>, both without the allocation span).
    /// Moving such a block with <see cref="SpanHeap.Relocate"/> puts it in a fuller span, and once a span's blocks have
    /// all moved, the span goes back to the page level.
    /// </summary>
    public bool ShouldMove { get; init; }
}

/// <summary>
/// Small-block totals from <see cref="SpanHeap.GetFragmentationTotals"/> (also in <see cref="HeapStats"/>): no lock and no
/// managed allocation, so a compactor can check its trigger inside its own writes. Each class's counters are read
/// without its lock: approximate while other threads allocate or free.
/// </summary>
public readonly record struct FragmentationTotals
{
    /// <summary>Bytes of pages in small-block spans.</summary>
    public long SmallSpanBytes { get; init; }

    /// <summary>Bytes of small blocks in use (allocated, or held free in thread caches), at their class size.</summary>
    public long SmallUsedBytes { get; init; }

    /// <summary>Bytes of spans that packing the used blocks of each class would free.</summary>
    public long ReclaimableBytes { get; init; }
}

/// <summary>One size class in <see cref="HeapFragmentation"/>.</summary>
public readonly record struct SizeClassFragmentation
{
    /// <summary>Block size of the class.</summary>
    public int BlockSize { get; init; }

    /// <summary>Blocks per span.</summary>
    public int BlocksPerSpan { get; init; }

    /// <summary>Spans of the class (partial, full, or the one kept empty for reuse).</summary>
    public int Spans { get; init; }

    /// <summary>Bytes of the class's spans.</summary>
    public long SpanBytes { get; init; }

    /// <summary>Blocks in use (allocated, or held free in thread caches).</summary>
    public long UsedBlocks { get; init; }

    /// <summary><see cref="UsedBlocks"/> · <see cref="BlockSize"/>.</summary>
    public long UsedBytes => UsedBlocks * BlockSize;

    /// <summary>Bytes of spans that packing the used blocks into as few spans as possible would free:
    /// <c>SpanBytes − ⌈UsedBlocks / BlocksPerSpan⌉ · span bytes</c>.</summary>
    public long ReclaimableBytes { get; init; }
}

/// <summary>
/// How much of the heap's small-block memory is in spans that compaction could empty, from
/// <see cref="SpanHeap.GetFragmentation"/>. A compactor compares <see cref="SmallSpanBytes"/> with
/// <see cref="SmallUsedBytes"/> (or its own live bytes) to decide when to start, and <see cref="ReclaimableBytes"/> says
/// what it could win at most.
/// </summary>
public sealed record HeapFragmentation
{
    /// <summary>Bytes of pages in small-block spans.</summary>
    public long SmallSpanBytes { get; init; }

    /// <summary>Bytes of small blocks in use (allocated, or held free in thread caches), at their class size.</summary>
    public long SmallUsedBytes { get; init; }

    /// <summary>Sum over classes of <see cref="SizeClassFragmentation.ReclaimableBytes"/>.</summary>
    public long ReclaimableBytes { get; init; }

    /// <summary><see cref="SmallSpanBytes"/> / <see cref="SmallUsedBytes"/> (1 when packed; 0 when there is nothing).</summary>
    public double SpanToUsedRatio => SmallUsedBytes == 0 ? 0 : (double)SmallSpanBytes / SmallUsedBytes;

    /// <summary>The classes with at least one span, smallest first.</summary>
    public IReadOnlyList<SizeClassFragmentation> Classes { get; init; } = [];
}
