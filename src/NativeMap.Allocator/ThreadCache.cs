using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeMap.Allocator;

/// <summary>A block in a thread cache: its address (bit 0 set when it is known to read as zero) and the address of its
/// state byte in the owning span's <see cref="HeapSpan.ObjectStates"/>.</summary>
internal unsafe struct CacheEntry
{
    public nuint Block;
    public byte* State;
}

/// <summary>
/// One thread's cache of free small blocks for one heap (tcmalloc's thread cache, Go's <c>mcache</c>): per size class a
/// LIFO stack of up to two transfer batches. The owner thread allocates and frees with no lock and no atomic
/// instruction; a refill or an overflow moves one batch to or from the class's <see cref="CentralList"/>.
/// </summary>
/// <remarks>
/// <para><b>Draining another thread's cache</b> (for <see cref="SpanHeap.FreeOSMemory"/>, for the scavenger when the
/// owner thread has died or the cache has been idle, and for validation) uses an asymmetric handshake instead of a
/// lock on the owner's hot path. Owner: write <see cref="_active"/> = 1, then read <see cref="_hold"/>; if set, write
/// <see cref="_active"/> = 0 and wait. Drainer: write <see cref="_hold"/> = 1, run
/// <see cref="Interlocked.MemoryBarrierProcessWide"/> (which makes every core execute a full barrier), then wait for
/// <see cref="_active"/> == 0. The process-wide barrier stands in for the store-load fence the owner does not pay:
/// after it, either the owner's write of <see cref="_active"/> is visible to the drainer, or the owner's read of
/// <see cref="_hold"/> sees 1. The drainer takes no lock while it waits, so an owner inside a refill (holding a
/// central lock) finishes first.</para>
/// <para>The owner's counters are written without synchronisation and read by <see cref="SpanHeap.GetStats"/> without
/// it: 64-bit reads do not tear, so the sums are approximate only under concurrent use.</para>
/// <para>Fast paths index the stack without bounds checks; the invariant that makes this safe is on <see cref="Bin.Count"/>.</para>
/// </remarks>
internal sealed unsafe class ThreadCache
{
    /// <summary>Bit 0 of <see cref="CacheEntry.Block"/>: the block has never been handed out from a span whose pages
    /// were zero, so it reads as zero.</summary>
    public const nuint ZeroTag = 1;

    private readonly CentralList[] _central;

    /// <summary>Per class: the stack of free blocks and the class's live-block count.</summary>
    private readonly Bin[] _bins;

    /// <summary>1 while the owner is inside an operation on the cache. Written by the owner only.</summary>
    private int _active;

    /// <summary>1 while a drainer holds the cache; the owner waits. Written by drainers only, one at a time.</summary>
    private int _hold;

    public ThreadCache(HeapCore heap, Thread owner, CentralList[] central)
    {
        Heap = heap;
        Owner = owner;
        _central = central;
        _bins = new Bin[SizeClasses.Count];
    }

    /// <summary>The heap the cache belongs to.</summary>
    public HeapCore Heap { get; }

    /// <summary>The thread that owns the cache. When it has died, the cache is drained by the scavenger.</summary>
    public Thread Owner { get; }

    /// <summary>Refills, flushes and stack creations (owner-written). A cache whose count has not moved between two
    /// maintenance passes is not turning its blocks over through the central lists, so draining it costs at most one
    /// refill: the scavenger does so, and the blocks it held can go back to the page level.</summary>
    public long SlowOperations;

    /// <summary>The value of <see cref="SlowOperations"/> the scavenger saw last.</summary>
    public long LastSeenSlowOperations;

    /// <summary>Pops a block of class <paramref name="sizeClass"/> and marks it allocated. May refill from the central list.</summary>
    /// <returns>The block, with <see cref="ZeroTag"/> set when it reads as zero.</returns>
    public nuint Allocate(int sizeClass)
    {
        Volatile.Write(ref _active, 1);
        ref Bin bin = ref _bins[sizeClass];
        int count = bin.Count;
        if (Volatile.Read(ref _hold) != 0 || count == 0)
        {
            return AllocateSlow(sizeClass);
        }

        // Invariant: 0 < Count ≤ Entries.Length, so the element exists (no bounds check needed).
        ref CacheEntry entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bin.Entries!), count - 1);
        bin.Count = count - 1;
        *entry.State = HeapSpan.ObjectAllocated;
        bin.Live++;
        Volatile.Write(ref _active, 0);
        return entry.Block;
    }

    /// <summary>
    /// Marks a block free and pushes it. Throws (changing nothing) when its state byte does not say allocated: a double
    /// free. The check and the flip happen inside the owner's active window, so a drainer or a validator holding the
    /// cache never sees a block that is neither allocated nor cached. May flush a batch to the central list.
    /// </summary>
    public void Free(int sizeClass, nuint block, byte* state)
    {
        Volatile.Write(ref _active, 1);
        ref Bin bin = ref _bins[sizeClass];
        int count = bin.Count;
        CacheEntry[]? entries = bin.Entries;
        if (Volatile.Read(ref _hold) != 0 || entries is null || (uint)count >= (uint)entries.Length || *state != HeapSpan.ObjectAllocated)
        {
            FreeSlow(sizeClass, block, state);
            return;
        }

        *state = HeapSpan.ObjectFree;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), count) = new CacheEntry { Block = block, State = state };
        bin.Count = count + 1;
        bin.Live--;
        Volatile.Write(ref _active, 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // refill: once per batch
    private nuint AllocateSlow(int sizeClass)
    {
        try
        {
            EnterExclusive();
            SlowOperations++;
            ref Bin bin = ref _bins[sizeClass];
            CacheEntry[] entries = bin.Entries ?? CreateEntries(ref bin, sizeClass);
            if (bin.Count == 0)
            {
                bin.Count = _central[sizeClass].Refill(entries.AsSpan(0, SizeClasses.Batch[sizeClass]));

                // The stack pops from the top: reversed, the blocks go out in the order the central list chose them
                // (the fullest span's first, each span's in address order).
                entries.AsSpan(0, bin.Count).Reverse();
            }

            ref CacheEntry entry = ref entries[--bin.Count];
            *entry.State = HeapSpan.ObjectAllocated;
            bin.Live++;
            return entry.Block;
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // overflow: once per batch
    private void FreeSlow(int sizeClass, nuint block, byte* state)
    {
        try
        {
            EnterExclusive();
            if (*state != HeapSpan.ObjectAllocated)
            {
                ThrowHelper.ThrowDoubleFree(block);
            }

            SlowOperations++;
            ref Bin bin = ref _bins[sizeClass];
            CacheEntry[] entries = bin.Entries ?? CreateEntries(ref bin, sizeClass);
            if (bin.Count == entries.Length)
            {
                // Return the oldest batch (the bottom of the stack): the most recently freed blocks stay, warm.
                int batch = SizeClasses.Batch[sizeClass];
                _central[sizeClass].Return(entries.AsSpan(0, batch));
                Array.Copy(entries, batch, entries, 0, bin.Count - batch);
                bin.Count -= batch;
            }

            *state = HeapSpan.ObjectFree;
            entries[bin.Count++] = new CacheEntry { Block = block, State = state };
            bin.Live--;
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    /// <summary>
    /// Allocates one block of class <paramref name="sizeClass"/> straight from the central list (the fullest partial span),
    /// not from the stack: a compactor's move must not land in a block a thread cache holds, which is often one it has
    /// just freed in a sparse span. Counted like any allocation.
    /// </summary>
    /// <returns>The block, with <see cref="ZeroTag"/> set when it reads as zero.</returns>
    public nuint AllocateDirect(int sizeClass)
    {
        Volatile.Write(ref _active, 1);
        try
        {
            EnterExclusive();
            SlowOperations++;
            CacheEntry entry = _central[sizeClass].TakeOne();
            *entry.State = HeapSpan.ObjectAllocated;
            _bins[sizeClass].Live++;
            return entry.Block;
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    /// <summary>Frees a block straight back to its span (not onto the stack), so that a span a compactor empties goes
    /// back to the page level at once. Throws (changing nothing) on a double free.</summary>
    public void FreeDirect(int sizeClass, nuint block, byte* state)
    {
        Volatile.Write(ref _active, 1);
        try
        {
            EnterExclusive();
            if (*state != HeapSpan.ObjectAllocated)
            {
                ThrowHelper.ThrowDoubleFree(block);
            }

            SlowOperations++;
            *state = HeapSpan.ObjectFree;
            _bins[sizeClass].Live--;
            var entry = new CacheEntry { Block = block, State = state };
            _central[sizeClass].Return(new ReadOnlySpan<CacheEntry>(in entry));
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    /// <summary>A class's stack is created on first use, and again after a drain: the scavenger hears of it, so a cache
    /// that begins to hold blocks gets a maintenance pass scheduled even if the scavenger was asleep.</summary>
    private CacheEntry[] CreateEntries(ref Bin bin, int sizeClass)
    {
        var entries = new CacheEntry[2 * SizeClasses.Batch[sizeClass]];
        bin.Entries = entries;
        Heap.NotifyCacheActivity();
        return entries;
    }

    /// <summary>Owner side of the handshake: on return <see cref="_active"/> is 1 and no drainer holds the cache.</summary>
    /// <remarks>A disposed heap holds its caches for good: the hot paths need no disposed check of their own, because
    /// they come here and this throws.</remarks>
    private void EnterExclusive()
    {
        while (Volatile.Read(ref _hold) != 0)
        {
            Volatile.Write(ref _active, 0);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _hold) != 0)
            {
                if (Heap.IsDisposed)
                {
                    ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
                }

                spinner.SpinOnce();
            }

            Volatile.Write(ref _active, 1);
        }
    }

    // ---- drainer side; callers serialise on the heap's drain lock ----

    /// <summary>Asks the owner to stay out. Follow with one <see cref="Interlocked.MemoryBarrierProcessWide"/> for all
    /// held caches, then <see cref="WaitUntilInactive"/>.</summary>
    public void BeginHold() => Volatile.Write(ref _hold, 1);

    /// <summary>Waits until the owner has left any operation it was in.</summary>
    public void WaitUntilInactive()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _active) != 0)
        {
            spinner.SpinOnce();
        }
    }

    /// <summary>Lets the owner in again.</summary>
    public void EndHold() => Volatile.Write(ref _hold, 0);

    /// <summary>Whether any block is cached. Racy unless held.</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (Bin bin in _bins)
            {
                if (bin.Count != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Blocks allocated and not freed through this cache, and their class bytes. Racy unless held.</summary>
    public (long Objects, long Bytes) LiveCounts()
    {
        long objects = 0, bytes = 0;
        for (int c = 1; c < _bins.Length; c++)
        {
            long live = _bins[c].Live;
            objects += live;
            bytes += live * SizeClasses.Size[c];
        }

        return (objects, bytes);
    }

    /// <summary>Returns every cached block to the central lists. The cache must be held (or its owner dead).</summary>
    public void Drain()
    {
        for (int c = 1; c < _bins.Length; c++)
        {
            ref Bin bin = ref _bins[c];
            if (bin.Count != 0)
            {
                _central[c].Return(bin.Entries.AsSpan(0, bin.Count));
                bin.Count = 0;
                bin.Entries = null;
            }
        }
    }

    /// <summary>Forgets every cached block without returning it (the heap is being disposed: its memory is going). The
    /// cache must be held, for good.</summary>
    public void Abandon()
    {
        for (int c = 1; c < _bins.Length; c++)
        {
            _bins[c].Entries = null;
            _bins[c].Count = 0;
        }
    }

    /// <summary>Managed bytes of the cached-entry stacks. Racy unless held.</summary>
    public long EntryBytes()
    {
        long bytes = 0;
        foreach (Bin bin in _bins)
        {
            bytes += (bin.Entries?.Length ?? 0) * (long)sizeof(CacheEntry);
        }

        return bytes;
    }

    /// <summary>The cached entries of a class, for validation. The cache must be held.</summary>
    public ReadOnlySpan<CacheEntry> Entries(int sizeClass) => _bins[sizeClass].Entries.AsSpan(0, _bins[sizeClass].Count);

    /// <summary>One size class in a cache.</summary>
    private struct Bin
    {
        /// <summary>Free blocks, a LIFO stack of two batches; null until first used and after a drain.</summary>
        public CacheEntry[]? Entries;

        /// <summary>Entries in use. Invariant: 0 ≤ Count ≤ Entries.Length (0 when Entries is null).</summary>
        public int Count;

        /// <summary>Blocks of the class allocated minus blocks freed through this cache (may go negative when other
        /// threads allocated what this one frees; the heap sums all caches).</summary>
        public long Live;
    }
}
