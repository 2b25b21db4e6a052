namespace NativeMap.Allocator;

/// <summary>
/// A native page heap in the manner of the Go runtime's mheap: address space reserved in arenas, 8 KiB pages grouped
/// into spans, size classes for small blocks behind per-thread caches, and a background scavenger that returns pages
/// free for longer than <see cref="SpanHeapOptions.ScavengeDecay"/> to the operating system.
/// </summary>
/// <remarks>
/// <para>All members are thread-safe. Memory from <see cref="Allocate"/> is aligned to 16 bytes (8 bytes for requests of
/// 8 bytes or less) and blocks larger than 32 KiB are page-aligned. A block may be freed by any thread.</para>
/// <para><see cref="Free"/> checks its argument: a pointer that is not the start of a live block of this heap throws
/// and changes nothing. (Two threads freeing the same block at the same moment is a data race in the caller; a
/// double free ordered by happens-before is always caught.)</para>
/// <para>This type is the public facade; the machinery is internal (<see cref="HeapCore"/> and the types it owns).</para>
/// </remarks>
public sealed unsafe class SpanHeap : IDisposable
{
    /// <summary>The page size of the heap: 8 KiB, whatever the OS page size.</summary>
    public const int PageSize = Pages.PageSize;

    /// <summary>The largest size served from size classes; larger blocks get a span of their own.</summary>
    public const int MaxSmallSize = SizeClasses.MaxSmallSize;

    /// <summary>The largest request accepted: 1 TiB. Larger requests throw <see cref="OutOfMemoryException"/> at once;
    /// smaller ones throw it when the OS refuses the address space.</summary>
    public const ulong MaxAllocationSize = 1UL << 40;

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes every heap's statistics
    /// (tagged <c>heap</c>): <c>dotnet-counters monitor --counters NativeMap.Allocator</c>.</summary>
    public const string MeterName = "NativeMap.Allocator";

    private static readonly Lazy<SpanHeap> s_shared = new(() => new SpanHeap(SpanHeapOptions.FromEnvironment(), isShared: true));

    private readonly HeapCore _core;
    private readonly bool _isShared;

    /// <summary>Creates a heap with default options.</summary>
    public SpanHeap()
        : this(new SpanHeapOptions())
    {
    }

    /// <summary>Creates a heap with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SpanHeap(SpanHeapOptions options)
        : this(options, isShared: false)
    {
    }

    private SpanHeap(SpanHeapOptions options, bool isShared)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _isShared = isShared;
        _core = new HeapCore(options);
    }

    /// <summary>
    /// The process-wide heap, created on first use with <see cref="SpanHeapOptions.FromEnvironment()"/>. It lives as long
    /// as the process; <see cref="Dispose"/> on it throws.
    /// </summary>
    public static SpanHeap Shared => s_shared.Value;

    /// <summary>The options this heap was created with.</summary>
    public SpanHeapOptions Options => _core.Options;

    /// <summary>The heap's name, used in metrics and trace lines.</summary>
    public string Name => _core.Name;

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _core.IsDisposed;

    internal HeapCore Core => _core;

    /// <summary>
    /// Allocates <paramref name="size"/> bytes, like <c>NativeMemory.Alloc</c>. The contents are undefined.
    /// A request of zero bytes returns a unique block that must be freed like any other.
    /// </summary>
    /// <exception cref="OutOfMemoryException">The OS refused address space, or <paramref name="size"/> exceeds <see cref="MaxAllocationSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void* Allocate(nuint size) => _core.Allocate(size, zero: false);

    /// <summary>
    /// Allocates <paramref name="size"/> zeroed bytes, like <c>NativeMemory.AllocZeroed</c>. Pages the heap knows to be
    /// zero (fresh from the OS or released to it since) are not cleared again, so a large zeroed block costs no memset.
    /// </summary>
    /// <exception cref="OutOfMemoryException">The OS refused address space, or <paramref name="size"/> exceeds <see cref="MaxAllocationSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void* AllocateZeroed(nuint size) => _core.Allocate(size, zero: true);

    /// <summary>Frees a block from <see cref="Allocate"/> or <see cref="AllocateZeroed"/>. Null is ignored.</summary>
    /// <exception cref="ArgumentException"><paramref name="ptr"/> is not from this heap, or points inside a block.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="ptr"/> was already freed.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed (its memory is gone; nothing may be freed into it).</exception>
    public void Free(void* ptr) => _core.Free(ptr);

    /// <summary>
    /// The usable size of a live block: its size class for small blocks, its whole span for large ones.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ptr"/> is not the start of a live block of this heap.</exception>
    public nuint GetAllocatedSize(void* ptr) => _core.GetAllocatedSize(ptr);

    // ---- for compactors (jemalloc's defrag hint) ----

    /// <summary>
    /// The occupancy of a live block's span and whether moving the block would help that span empty
    /// (<see cref="BlockOccupancy.ShouldMove"/>, jemalloc's rule). Lock-free, about the cost of a <see cref="Free"/>
    /// check; the class figures may be a little stale under concurrent allocation, which a hint may be.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ptr"/> is not the start of a live block of this heap.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public BlockOccupancy GetOccupancy(void* ptr) => _core.GetOccupancy(ptr);

    /// <summary>The defrag hint alone: <c>GetOccupancy(ptr).ShouldMove</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="ptr"/> is not the start of a live block of this heap.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public bool ShouldMove(void* ptr) => _core.GetOccupancy(ptr).ShouldMove;

    /// <summary>
    /// Moves a live block for a compactor: allocates a block of the same size class from the fullest partial span of the
    /// class (never a block a thread cache holds, which is often one just freed in a sparse span), copies the block's
    /// <see cref="GetAllocatedSize"/> bytes, and frees the old block straight back to its span (not into a thread cache),
    /// so a span whose last block moves goes back to the page level at once. Returns the new block; the old pointer is
    /// invalid. The caller must own the only reference to the block (no other thread may read or free it meanwhile).
    /// Slower than <see cref="Allocate"/> + <see cref="Free"/> (it takes the class's central lock twice): meant for
    /// moving the blocks <see cref="ShouldMove"/> picks, not for every allocation.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ptr"/> is not the start of a live block of this heap.</exception>
    /// <exception cref="OutOfMemoryException">No block could be had; the old block is unchanged and still live.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void* Relocate(void* ptr) => _core.Relocate(ptr);

    /// <summary>
    /// The small-block totals of <see cref="GetFragmentation"/> (span bytes, used bytes, reclaimable bytes) with no lock
    /// and no managed allocation: about 70 counter reads. Approximate while other threads allocate or free: a trigger for
    /// a compactor that checks it inside its own writes. <see cref="GetStats"/> carries the same figures.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public FragmentationTotals GetFragmentationTotals() => IsDisposed ? ThrowDisposed<FragmentationTotals>() : _core.GetFragmentationTotals();

    /// <summary>
    /// Small-block memory by size class: bytes in spans, bytes in use, and what packing could free. Takes each class's
    /// central lock briefly (a few microseconds in all); cheap enough to poll for a compaction trigger.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public HeapFragmentation GetFragmentation() => _core.GetFragmentation();

    /// <summary>
    /// Returns every free page to the OS now, synchronously, and returns the number of bytes released. It first drains
    /// the per-thread caches, so that small-object spans whose blocks are all free go back to the page level and count.
    /// Unlike Go's <c>debug.FreeOSMemory</c> it runs no collector: free what you no longer need first, then call this.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public long FreeOSMemory() => _core.FreeOSMemory();

    /// <summary>A snapshot of the heap's memory and the scavenger's counters. Cheap: no page is walked.</summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public HeapStats GetStats() => _core.GetStats();

    /// <summary>
    /// Whether this heap backs large spans with transparent huge pages: <see cref="SpanHeapOptions.HugePages"/> is on and
    /// the OS supports them (Linux with THP not <c>never</c>, a huge page of at most one arena).
    /// </summary>
    public bool HugePagesActive => _core.Pages.HugePages != 0;

    /// <summary>
    /// Asks the kernel how much of the heap's address space is resident and how much of that is mapped as transparent
    /// huge pages (Linux: the <c>Rss</c> and <c>AnonHugePages</c> lines of <c>/proc/self/smaps</c> for the heap's
    /// arenas). <b>Expensive</b>: the kernel walks the page tables of every mapping of the process (about a millisecond
    /// here, more for large processes); call it to check or to report, not on every operation. That is why
    /// <see cref="GetStats"/>, which is cheap, does not include it. Elsewhere than on Linux the kernel figures are -1.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public HeapResidency ReadResidency() => _core.ReadResidency();

    /// <summary>
    /// Stops the scavenger and unmaps every arena. Blocks still allocated become invalid; freeing one afterwards throws
    /// <see cref="ObjectDisposedException"/>. Must not run concurrently with other calls on this heap.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is <see cref="Shared"/>, which lives as long as the process.</exception>
    public void Dispose()
    {
        if (_isShared)
        {
            ThrowHelper.ThrowInvalidOperation("SpanHeap.Shared lives as long as the process and cannot be disposed.");
        }

        _core.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Checks every invariant of the heap; throws <see cref="InvalidOperationException"/> naming the first one broken.</summary>
    internal void Validate() => _core.Validate();

    /// <summary>A heap nobody references can have no live blocks anyone can free: unmap it.</summary>
    ~SpanHeap()
    {
        // _core is null when the constructor threw (bad options).
        if (!_isShared)
        {
            _core?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SpanHeap({Name})";

    private static T ThrowDisposed<T>()
    {
        ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        return default!;
    }
}
