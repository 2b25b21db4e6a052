using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeMap.Allocator;

/// <summary>
/// The machinery behind <see cref="SpanHeap"/>: dispatch between small and large blocks, the thread caches, the
/// central lists, the page heap and the scavenger.
/// </summary>
/// <remarks>
/// <para><b>Small blocks</b> (≤ 32 KiB): size class → this thread's <see cref="ThreadCache"/> → on a miss, a batch from
/// the class's <see cref="CentralList"/> → on a miss, a new span from the <see cref="PageHeap"/>. Freeing finds the
/// span through the page map, checks that the address is the start of a block and that the block's state byte says
/// allocated (else it throws and changes nothing), marks it free and pushes it on this thread's cache.</para>
/// <para><b>Large blocks</b> get a span of their own straight from the page heap, under its lock.</para>
/// <para><b>Locks</b>, in the order they may be taken: <see cref="_drainLock"/> (one drainer of thread caches at a
/// time) → a central list's lock → the page heap's lock. <see cref="_cachesLock"/> guards the cache registry and is
/// never held while another lock is taken. Scavenger cycles have their own lock and take the others in this order.</para>
/// </remarks>
internal sealed unsafe partial class HeapCore : IDisposable
{
    private static int s_heapCount;

    private readonly HeapClock _clock;
    private readonly PageHeap _pages;
    private readonly CentralList[] _central;
    private readonly Scavenger _scavenger;

    /// <summary>Index of this heap in every thread's <see cref="t_caches"/>.</summary>
    private readonly int _slot;

    private int _disposed;

    public HeapCore(SpanHeapOptions options)
    {
        Options = options;
        Name = options.Name ?? $"heap-{Interlocked.Increment(ref s_heapCount)}";
        IOsMemory os = options.OsMemory ?? new OsMemory(options.ProtectReleasedPages);
        _clock = new HeapClock(options.TimeProvider);
        _pages = new PageHeap(os, _clock, options.ArenaSize, options.MemoryLimit,
            releaseOnGrowth: options.ScavengerEnabled && options.ReleaseOnGrowth, hugePages: options.HugePages);
        _central = new CentralList[SizeClasses.Count];
        for (int c = 1; c < _central.Length; c++)
        {
            _central[c] = new CentralList(_pages, _clock, c);
        }

        _slot = HeapSlots.Rent();
        _scavenger = new Scavenger(this, _pages, _clock, options);
        _pages.Scavenger = _scavenger;
        if (options.StartScavengerThread && (options.ScavengerEnabled || options.MemoryLimit is not null))
        {
            _scavenger.Start();
        }

        HeapMetrics.Register(this);
    }

    public SpanHeapOptions Options { get; }

    public string Name { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The page heap, for tests.</summary>
    internal PageHeap Pages => _pages;

    /// <summary>The scavenger (its thread runs only when enabled or a limit is set), for tests.</summary>
    internal Scavenger Scavenger => _scavenger;

    public void* Allocate(nuint size, bool zero)
    {
        // No disposed check here: a disposed heap holds every cache (the cache's slow path throws), has no cache to
        // give a new thread (GetCacheSlow throws), and its page heap throws under its lock.
        if (size <= SizeClasses.MaxSmallSize)
        {
            nuint tagged = GetCache().Allocate(SizeClasses.ClassOf(size));
            void* block = (void*)(tagged & ~ThreadCache.ZeroTag);
            if (zero && (tagged & ThreadCache.ZeroTag) == 0)
            {
                NativeMemory.Clear(block, size);
            }

            return block;
        }

        return AllocateLarge(size, zero);
    }

    public void Free(void* ptr)
    {
        // No disposed check here: a disposed heap's arenas are out of the index, so the lookup fails and the throw
        // path reports the disposal; the cache and page paths check as in Allocate.
        if (ptr != null && FindSmallBlockOrFreeLarge((nuint)ptr, out HeapSpan span, out uint index))
        {
            GetCache().Free(span.SizeClass, (nuint)ptr, span.ObjectStates + index);
        }
    }

    /// <summary>
    /// The common part of the frees: finds the span of the block at <paramref name="address"/>; a large block is freed
    /// here (false), a small one is validated as a block start and its span and index returned (true). Throws for a
    /// pointer that is neither.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FindSmallBlockOrFreeLarge(nuint address, out HeapSpan span, out uint index)
    {
        span = _pages.FindSpan(address);
        if (span.IsNull)
        {
            ThrowNotFromHeap(address);
        }

        if (span.State != SpanState.Small || !span.Contains(address))
        {
            _ = _pages.FreeLarge(address);
            index = 0;
            return false;
        }

        index = BlockIndex(span, address);
        return true;
    }

    /// <summary>The index of the block starting at <paramref name="address"/> in small span <paramref name="span"/>;
    /// throws when the address is not a block start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BlockIndex(HeapSpan span, nuint address)
    {
        nuint offset = address - span.Base;
        uint index = (uint)(((ulong)offset * span.DivMagic) >> 32);
        if (index >= (uint)span.ObjectCount || (nuint)(index * (uint)span.ObjectSize) != offset)
        {
            ThrowInterior(address, span);
        }

        return index;
    }

    /// <summary>Allocates for a compactor: a small block comes from the fullest partial span of its class, not from the
    /// thread cache (see <see cref="ThreadCache.AllocateDirect"/>).</summary>
    public void* AllocateForMove(nuint size, bool zero)
    {
        if (size > SizeClasses.MaxSmallSize)
        {
            return AllocateLarge(size, zero);
        }

        nuint tagged = GetCache().AllocateDirect(SizeClasses.ClassOf(size));
        void* block = (void*)(tagged & ~ThreadCache.ZeroTag);
        if (zero && (tagged & ThreadCache.ZeroTag) == 0)
        {
            NativeMemory.Clear(block, size);
        }

        return block;
    }

    /// <summary>Frees for a compactor: a small block goes straight back to its span (see
    /// <see cref="ThreadCache.FreeDirect"/>). Validates like <see cref="Free"/>.</summary>
    public void FreeToSpan(void* ptr)
    {
        if (ptr != null && FindSmallBlockOrFreeLarge((nuint)ptr, out HeapSpan span, out uint index))
        {
            GetCache().FreeDirect(span.SizeClass, (nuint)ptr, span.ObjectStates + index);
        }
    }

    /// <summary>Moves a live block: a new block of its size from the fullest span of its class, its bytes copied, the old
    /// block freed straight back to its span. Returns the new block.</summary>
    public void* Relocate(void* ptr)
    {
        nuint size = GetAllocatedSize(ptr);
        void* moved = AllocateForMove(size, zero: false);
        Buffer.MemoryCopy(ptr, moved, size, size);
        FreeToSpan(ptr);
        return moved;
    }

    /// <summary>The occupancy of a live block's span and the defrag hint (lock-free; see <see cref="BlockOccupancy"/>).</summary>
    public BlockOccupancy GetOccupancy(void* ptr)
    {
        nuint size = GetAllocatedSize(ptr); // validates: a live block of this heap
        HeapSpan span = _pages.FindSpan((nuint)ptr);
        if (span.State != SpanState.Small)
        {
            return new BlockOccupancy { BlockSize = (int)Math.Min(size, int.MaxValue), SpanCapacity = 1, SpanUsed = 1 };
        }

        CentralList central = _central[span.SizeClass];
        int capacity = span.ObjectCount;
        int used = Math.Clamp(span.OutCount, 1, capacity);
        HeapSpan current = central.Current;
        bool isCurrent = current == span;
        long classUsed = central.UsedBlocks;
        long classSpans = central.UsedSpans;
        if (!current.IsNull)
        {
            classUsed -= Math.Clamp(current.OutCount, 0, capacity);
            classSpans--;
        }

        bool move = !isCurrent && used < capacity && classSpans > 0 && (long)used * classSpans <= classUsed;
        return new BlockOccupancy
        {
            IsSmall = true,
            BlockSize = span.ObjectSize,
            SpanCapacity = capacity,
            SpanUsed = used,
            ClassAverageOccupancy = classSpans <= 0 ? 0 : Math.Clamp((double)classUsed / classSpans / capacity, 0, 1),
            IsAllocationSpan = isCurrent,
            ShouldMove = move,
        };
    }

    /// <summary>The small-block totals, lock-free and allocation-free (see <see cref="FragmentationTotals"/>).</summary>
    public FragmentationTotals GetFragmentationTotals()
    {
        long spanBytes = 0, usedBytes = 0, reclaimable = 0;
        for (int c = 1; c < _central.Length; c++)
        {
            CentralList central = _central[c];
            int spans = central.Spans;
            if (spans <= 0)
            {
                continue;
            }

            long used = Math.Max(0, central.UsedBlocks);
            long perSpan = (long)SizeClasses.SpanPages[c] << Allocator.Pages.PageShift;
            int blocksPerSpan = SizeClasses.ObjectsPerSpan[c];
            spanBytes += spans * perSpan;
            usedBytes += used * SizeClasses.Size[c];
            reclaimable += Math.Max(0, (spans - ((used + blocksPerSpan - 1) / blocksPerSpan)) * perSpan);
        }

        return new FragmentationTotals { SmallSpanBytes = spanBytes, SmallUsedBytes = usedBytes, ReclaimableBytes = reclaimable };
    }

    public HeapFragmentation GetFragmentation()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        var classes = new List<SizeClassFragmentation>();
        long spanBytes = 0, usedBytes = 0, reclaimable = 0;
        for (int c = 1; c < _central.Length; c++)
        {
            (int spans, int _, long used) = _central[c].Counters();
            if (spans == 0)
            {
                continue;
            }

            long perSpan = (long)SizeClasses.SpanPages[c] << Allocator.Pages.PageShift;
            int blocksPerSpan = SizeClasses.ObjectsPerSpan[c];
            var fragmentation = new SizeClassFragmentation
            {
                BlockSize = SizeClasses.Size[c],
                BlocksPerSpan = blocksPerSpan,
                Spans = spans,
                SpanBytes = spans * perSpan,
                UsedBlocks = used,
                ReclaimableBytes = Math.Max(0, (spans - ((used + blocksPerSpan - 1) / blocksPerSpan)) * perSpan),
            };
            classes.Add(fragmentation);
            spanBytes += fragmentation.SpanBytes;
            usedBytes += fragmentation.UsedBytes;
            reclaimable += fragmentation.ReclaimableBytes;
        }

        return new HeapFragmentation { SmallSpanBytes = spanBytes, SmallUsedBytes = usedBytes, ReclaimableBytes = reclaimable, Classes = classes };
    }

    public nuint GetAllocatedSize(void* ptr)
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        nuint address = (nuint)ptr;
        HeapSpan span = _pages.FindSpan(address);
        if (!span.IsNull && span.Contains(address))
        {
            if (span.State == SpanState.Large && span.Base == address)
            {
                return (nuint)span.Bytes;
            }

            if (span.State == SpanState.Small)
            {
                nuint offset = address - span.Base;
                uint index = (uint)(((ulong)offset * span.DivMagic) >> 32);
                if (index < (uint)span.ObjectCount && (nuint)(index * (uint)span.ObjectSize) == offset
                    && span.ObjectStates[index] == HeapSpan.ObjectAllocated)
                {
                    return (nuint)span.ObjectSize;
                }
            }
        }

        ThrowHelper.ThrowArgument($"0x{(ulong)address:x} is not the start of a live block of this heap.", nameof(ptr));
        return 0;
    }

    public long FreeOSMemory()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        DrainCaches(all: true);
        foreach (CentralList? central in _central)
        {
            _ = central?.TrimRetained(long.MaxValue);
        }

        _pages.DiscardMetadata();

        long cutoff = _clock.Now();
        long total = 0;
        while (_pages.TakeReleaseRun(cutoff, PageHeap.ChunkPages, oldestOnly: false) is { IsNull: false } run)
        {
            bool released = _pages.ReleaseToOs(run);
            total += _pages.ReturnReleaseRun(run, released, PageHeap.ReleaseReason.Force);
            if (!released)
            {
                break;
            }
        }

        return total;
    }

    public HeapStats GetStats()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        HeapStats pages = _pages.Snapshot();
        (long objects, long bytes, long cacheBytes) = CacheCounters();
        FragmentationTotals small = GetFragmentationTotals();
        return pages with
        {
            SmallSpanBytes = small.SmallSpanBytes,
            SmallUsedBytes = small.SmallUsedBytes,
            SmallReclaimableBytes = small.ReclaimableBytes,
            LiveObjects = pages.LiveObjects + objects,
            AllocatedBytes = pages.AllocatedBytes + bytes,
            MetadataBytes = pages.MetadataBytes + cacheBytes,
            ScavengerCycles = _scavenger.Cycles,
        };
    }

    public HeapResidency ReadResidency()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        (nuint Start, nuint End)[] ranges = _pages.ArenaRanges();
        HeapStats stats = _pages.Snapshot();
        return Residency.Read(ranges, stats.HugePageAdvisedBytes);
    }

    /// <summary>Runs one scavenger cycle now (tests drive decay with a fake clock this way).</summary>
    internal Scavenger.CycleResult RunScavengerCycle() => _scavenger.RunCycle();

    /// <summary>
    /// Scavenger maintenance: drains the caches of dead threads and of threads idle since the last pass, and frees
    /// retained empty spans that have been empty since before <paramref name="retainedCutoff"/>.
    /// </summary>
    internal void Maintain(long retainedCutoff)
    {
        if (IsDisposed)
        {
            return;
        }

        DrainCaches(all: false);
        foreach (CentralList? central in _central)
        {
            _ = central?.TrimRetained(retainedCutoff);
        }

        _pages.DiscardMetadata();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scavenger.Dispose();
        HeapMetrics.Unregister(this);
        RetireAllCaches();
        _pages.Dispose();
        HeapSlots.Return(_slot);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // rare: a block of more than 32 KiB
    private void* AllocateLarge(nuint size, bool zero)
    {
        if (size > SpanHeap.MaxAllocationSize)
        {
            ThrowHelper.ThrowOutOfMemory($"A block of {size} bytes exceeds SpanHeap.MaxAllocationSize ({SpanHeap.MaxAllocationSize}).");
        }

        int pages = (int)((size + Allocator.Pages.PageSize - 1) >> Allocator.Pages.PageShift);
        return (void*)_pages.AllocateSpan(pages, SpanState.Large, zero, out _).Base;
    }

    [DoesNotReturn]
    private void ThrowNotFromHeap(nuint address)
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        if (_pages.InArena(address))
        {
            ThrowHelper.ThrowInvalidOperation($"0x{(ulong)address:x} is in heap '{Name}' but not in a live block (never allocated, or already freed).");
        }

        ThrowHelper.ThrowArgument($"0x{(ulong)address:x} was not allocated from heap '{Name}'.", "ptr");
    }

    [DoesNotReturn]
    private static void ThrowInterior(nuint address, HeapSpan span) =>
        ThrowHelper.ThrowArgument($"0x{(ulong)address:x} points inside a block of {span.ObjectSize} bytes, not at its start.", "ptr");

}
