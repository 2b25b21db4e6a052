namespace NativeMap.Allocator;

/// <summary>
/// A snapshot of a <see cref="SpanHeap"/>'s memory, from <see cref="SpanHeap.GetStats"/>.
/// </summary>
/// <remarks>
/// Page-level figures obey <c>ReservedBytes == InUseBytes + IdleBytes + ReleasedBytes</c> exactly. Metadata (span
/// descriptors and block states in native pools of their own, page maps on the GC heap) is not in the arenas, and is
/// reported apart as <see cref="MetadataBytes"/>: add it to <see cref="ResidentBytes"/> for the heap's share of RSS.
/// Resident heap memory, what the <see cref="SpanHeapOptions.MemoryLimit"/> limits, is <see cref="ResidentBytes"/>.
/// <see cref="LiveObjects"/> and <see cref="AllocatedBytes"/> sum per-thread counters without stopping the threads,
/// so under concurrent allocation they are approximate; the page-level figures are exact.
/// </remarks>
public readonly record struct HeapStats
{
    /// <summary>Address space mapped in arenas.</summary>
    public long ReservedBytes { get; init; }

    /// <summary>Bytes of pages in spans that are in use: large objects and small-object spans (with their free slots).</summary>
    public long InUseBytes { get; init; }

    /// <summary>Bytes of free pages still resident (not yet returned to the OS): what the scavenger may release.</summary>
    public long IdleBytes { get; init; }

    /// <summary>Bytes of free pages returned to the OS (or never touched).</summary>
    public long ReleasedBytes { get; init; }

    /// <summary><see cref="InUseBytes"/> + <see cref="IdleBytes"/>: the heap's share of the process's RSS, at most.</summary>
    public long ResidentBytes => InUseBytes + IdleBytes;

    /// <summary>Blocks allocated and not yet freed.</summary>
    public long LiveObjects { get; init; }

    /// <summary>Bytes of the blocks in <see cref="LiveObjects"/>, rounded up to their size class.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>
    /// Bytes of the heap's own bookkeeping, native and managed: span descriptors and block-state arrays (native pools,
    /// counted by the OS pages they hold resident; empty pages go back to the OS at the next maintenance pass and at
    /// <see cref="SpanHeap.FreeOSMemory"/>), the per-page maps of the arenas (12 bytes per 8 KiB page reserved: 0.15 %),
    /// the free-span index, and the thread caches' stacks. Not part of <see cref="ReservedBytes"/>.
    /// </summary>
    public long MetadataBytes { get; init; }

    /// <summary>Bytes in huge pages the heap has advised the OS to back with transparent huge pages
    /// (<see cref="SpanHeapOptions.HugePages"/>): the whole huge pages of large spans of 2 MiB and more, in use or free.
    /// Whether the kernel really mapped them as huge pages is what <see cref="SpanHeap.ReadResidency"/> reads.</summary>
    public long HugePageAdvisedBytes { get; init; }

    /// <summary>Bytes of pages in small-block spans (part of <see cref="InUseBytes"/>); see
    /// <see cref="SpanHeap.GetFragmentation"/> for the figures per size class.</summary>
    public long SmallSpanBytes { get; init; }

    /// <summary>Bytes of small blocks in use (allocated, or held free in thread caches), at their class size. With
    /// <see cref="SmallSpanBytes"/>: how fragmented the small-block spans are.</summary>
    public long SmallUsedBytes { get; init; }

    /// <summary>Bytes of small-block spans that packing each class's used blocks would free (what compaction could win).</summary>
    public long SmallReclaimableBytes { get; init; }

    /// <summary>Arenas reserved.</summary>
    public int ArenaCount { get; init; }

    /// <summary>Scavenger cycles run (a cycle is one wake-up of the scavenger that found work).</summary>
    public long ScavengerCycles { get; init; }

    /// <summary>Bytes released by the background scavenger because they outlived the decay.</summary>
    public long ReleasedByDecayBytes { get; init; }

    /// <summary>Bytes released because resident memory exceeded the memory limit.</summary>
    public long ReleasedByLimitBytes { get; init; }

    /// <summary>Bytes released because the heap grew while holding idle pages (<see cref="SpanHeapOptions.ReleaseOnGrowth"/>).</summary>
    public long ReleasedByGrowthBytes { get; init; }

    /// <summary>Bytes released by <see cref="SpanHeap.FreeOSMemory"/>.</summary>
    public long ReleasedByForceBytes { get; init; }

    /// <summary>OS release calls that failed (the pages stayed resident and were counted idle).</summary>
    public long ReleaseFailures { get; init; }
}
