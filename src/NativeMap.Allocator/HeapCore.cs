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
        if (ptr == null)
        {
            return;
        }

        // No disposed check here: a disposed heap's arenas are out of the index, so the lookup fails and the throw
        // path reports the disposal; the cache and page paths check as in Allocate.
        nuint address = (nuint)ptr;
        HeapSpan? span = _pages.FindSpan(address);
        if (span is null)
        {
            ThrowNotFromHeap(address);
        }

        if (span.State != SpanState.Small || !span.Contains(address))
        {
            _ = _pages.FreeLarge(address);
            return;
        }

        nuint offset = address - span.Base;
        uint index = (uint)(((ulong)offset * span.DivMagic) >> 32);
        if (index >= (uint)span.ObjectCount || (nuint)(index * (uint)span.ObjectSize) != offset)
        {
            ThrowInterior(address, span);
        }

        GetCache().Free(span.SizeClass, address, span.ObjectStates + index);
    }

    public nuint GetAllocatedSize(void* ptr)
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        nuint address = (nuint)ptr;
        HeapSpan? span = _pages.FindSpan(address);
        if (span is not null && span.Contains(address))
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

        long cutoff = _clock.Now();
        long total = 0;
        while (_pages.TakeReleaseRun(cutoff, PageHeap.ChunkPages, oldestOnly: false) is { } run)
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
        (long objects, long bytes) = CacheCounters();
        return pages with
        {
            LiveObjects = pages.LiveObjects + objects,
            AllocatedBytes = pages.AllocatedBytes + bytes,
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
