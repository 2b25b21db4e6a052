using System.Numerics;

namespace NativeMap.Allocator;

/// <summary>
/// Native storage for the heap's own metadata: equal slots (span descriptors; block-state arrays of one size), numbered
/// from 1, in chunks of address space reserved from the OS apart from the arenas. Guarded by the page heap's lock;
/// <see cref="Address"/> may be called without it.
/// </summary>
/// <remarks>
/// <para><b>Why native.</b> The descriptors and state arrays were managed objects (a class and a pinned array per span:
/// about 220 bytes each, 26 MiB for 125,000 spans) that the heap pooled forever, so they stayed in the GC heap, and in
/// RSS, after every span was freed and even after <c>Dispose</c>; the GC also had to trace them. Here they are slots
/// that go back to the OS with the pages they sit on.</para>
/// <para><b>Allocation</b> takes the lowest free slot (a bitmap, searched from the lowest word that may have a free bit).
/// Live slots thus stay packed at the bottom, and the pages at the top empty when the heap shrinks.</para>
/// <para><b>Release.</b> Each OS page of slots counts its live slots. A page that empties is <i>empty</i>, and the next
/// maintenance pass of the scavenger (or <see cref="SpanHeap.FreeOSMemory"/>) discards it
/// (<see cref="IOsMemory.DiscardMetadata"/>): metadata follows the spans it describes within one maintenance interval
/// (the decay, clamped to 0.1–10 s), and a page refilled soon after costs one page fault. As for the heap's own pages, under the lock its slots leave the free bitmap (so nothing is allocated there), the call is
/// made without the lock, and under the lock again the page is marked not resident and its slots are free again.
/// <see cref="ResidentBytes"/> counts the pages touched and not discarded: what the pool costs in RSS.</para>
/// <para><b>Lock-free reads.</b> Chunks are never unmapped before <see cref="Dispose"/>, and the chunk table is
/// replaced, never changed in place, when it grows, so a reader holding any slot number it once saw reads mapped memory
/// (a discarded page reads as zero on Linux: a dead descriptor).</para>
/// </remarks>
internal sealed unsafe class SlotPool
{
    private const byte NotResident = 0;
    private const byte Live = 1;
    private const byte Empty = 2;
    private const byte Discarding = 3;

    private readonly IOsMemory _os;
    private readonly int _slotShift;
    private readonly int _chunkShift;
    private readonly int _pageShift;

    /// <summary>Chunk base addresses; replaced when grown (published with a release store).</summary>
    private nint[] _chunks = [];

    /// <summary>One bit per slot of the reserved chunks: set when the slot is free to allocate.</summary>
    private ulong[] _free = [];

    /// <summary>Live slots per OS page of the reserved chunks.</summary>
    private int[] _pageLive = [];

    /// <summary>Per OS page: <see cref="NotResident"/>, <see cref="Live"/>, <see cref="Empty"/> or
    /// <see cref="Discarding"/>.</summary>
    private byte[] _pageState = [];

    /// <summary>No word of <see cref="_free"/> below this has a set bit.</summary>
    private int _lowestFreeWord;

    private int _capacity;

    /// <summary>Slots taken out of allocation while their page is discarded.</summary>
    private int _discardingSlots;

    /// <param name="os">Where chunks come from and pages go back to.</param>
    /// <param name="slotSize">Bytes per slot: a power of two.</param>
    /// <param name="chunkBytes">Bytes reserved at a time: a power of two, at least an OS page and 64 slots.</param>
    public SlotPool(IOsMemory os, int slotSize, int chunkBytes)
    {
        _os = os;
        _slotShift = BitOperations.Log2((uint)slotSize);
        _chunkShift = BitOperations.Log2((uint)chunkBytes);
        _pageShift = Math.Min(BitOperations.Log2((uint)Math.Max(os.PageSize, slotSize)), _chunkShift);
        SlotSize = slotSize;
    }

    /// <summary>Bytes per slot.</summary>
    public int SlotSize { get; }

    /// <summary>Slots in use.</summary>
    public int LiveSlots { get; private set; }

    /// <summary>Bytes of OS pages holding slots that were touched and not discarded since.</summary>
    public long ResidentBytes { get; private set; }

    /// <summary>Bytes of address space reserved.</summary>
    public long ReservedBytes => (long)_chunks.Length << _chunkShift;

    /// <summary>Managed bytes of the pool's own bookkeeping.</summary>
    public long BookkeepingBytes => (_chunks.Length * 8L) + (_free.Length * 8L) + (_pageLive.Length * 4L) + _pageState.Length;

    private int SlotsPerChunk => 1 << (_chunkShift - _slotShift);

    private int PageSlotShift => _pageShift - _slotShift;

    /// <summary>The address of slot <paramref name="slot"/>, or null when it lies beyond the chunks this reader can see.
    /// Lock-free.</summary>
    public byte* Address(int slot)
    {
        nint[] chunks = Volatile.Read(ref _chunks);
        int chunk = slot >> (_chunkShift - _slotShift);
        return (uint)chunk < (uint)chunks.Length
            ? (byte*)chunks[chunk] + ((nint)(slot & (SlotsPerChunk - 1)) << _slotShift)
            : null;
    }

    /// <summary>Makes sure the next <paramref name="count"/> allocations cannot fail, reserving chunks if need be (so a
    /// caller can do this before a change it could not undo halfway).</summary>
    /// <exception cref="OutOfMemoryException">The OS refused a chunk. Nothing changed.</exception>
    public void EnsureFreeLocked(int count)
    {
        while (_capacity - 1 - LiveSlots - _discardingSlots < count)
        {
            Grow();
        }
    }

    /// <summary>Takes the lowest free slot (never 0), reserving a chunk when none is free. Its contents are undefined.</summary>
    /// <exception cref="OutOfMemoryException">The OS refused a chunk.</exception>
    public int AllocateLocked()
    {
        int word = _lowestFreeWord;
        while (word < _free.Length && _free[word] == 0)
        {
            word++;
        }

        if (word == _free.Length)
        {
            Grow();
        }

        _lowestFreeWord = word;
        int slot = (word << 6) + BitOperations.TrailingZeroCount(_free[word]);
        _free[word] &= _free[word] - 1;
        int page = slot >> PageSlotShift;
        if (_pageLive[page]++ == 0)
        {
            if (_pageState[page] == NotResident)
            {
                ResidentBytes += 1L << _pageShift;
            }

            _pageState[page] = Live;
        }

        LiveSlots++;
        return slot;
    }

    /// <summary>Returns a slot. Its contents stay as they were until the slot is reused or its page discarded.</summary>
    public void FreeLocked(int slot)
    {
        _free[slot >> 6] |= 1UL << slot;
        _lowestFreeWord = Math.Min(_lowestFreeWord, slot >> 6);
        int page = slot >> PageSlotShift;
        if (--_pageLive[page] == 0)
        {
            _pageState[page] = Empty;
        }

        LiveSlots--;
    }

    /// <summary>
    /// Starts discarding the empty pages. The pages returned are taken out of allocation until
    /// <see cref="EndDiscardLocked"/>. Coalesces neighbours into one range.
    /// </summary>
    public List<(nint Address, nint Bytes, int FirstPage, int Pages)> BeginDiscardLocked()
    {
        var ranges = new List<(nint, nint, int, int)>();
        int pages = _pageState.Length;
        for (int page = 0; page < pages; page++)
        {
            if (_pageState[page] == Empty)
            {
                _pageState[page] = Discarding;
                SetPageFree(page, false);
                _discardingSlots += SlotsOnPage(page);
                nint address = (nint)Address(page << PageSlotShift);
                if (ranges.Count > 0 && ranges[^1] is var (a, b, f, n) && a + b == address && f + n == page)
                {
                    ranges[^1] = (a, b + (1 << _pageShift), f, n + 1);
                }
                else
                {
                    ranges.Add((address, 1 << _pageShift, page, 1));
                }
            }
        }

        return ranges;
    }

    /// <summary>Discards ranges from <see cref="BeginDiscardLocked"/> without the lock. Returns the bytes discarded.</summary>
    public long Discard(List<(nint Address, nint Bytes, int FirstPage, int Pages)> ranges)
    {
        long bytes = 0;
        foreach ((nint address, nint length, int _, int _) in ranges)
        {
            if (_os.DiscardMetadata((void*)address, (nuint)length))
            {
                bytes += length;
            }
        }

        return bytes;
    }

    /// <summary>Ends a discard: the pages are not resident (if the OS refused, they count as resident, still empty).</summary>
    public void EndDiscardLocked(List<(nint Address, nint Bytes, int FirstPage, int Pages)> ranges, bool discarded)
    {
        foreach ((nint _, nint _, int first, int count) in ranges)
        {
            for (int page = first; page < first + count; page++)
            {
                _pageState[page] = discarded ? NotResident : Empty;
                SetPageFree(page, true);
                _discardingSlots -= SlotsOnPage(page);
                if (discarded)
                {
                    ResidentBytes -= 1L << _pageShift;
                }
            }
        }
    }

    /// <summary>Checks the counts against the bitmap (with the lock held; no discard under way).</summary>
    public void ValidateLocked(string name)
    {
        int live = 0;
        long resident = 0;
        for (int page = 0; page < _pageState.Length; page++)
        {
            int slots = 1 << PageSlotShift;
            int free = 0;
            for (int slot = page << PageSlotShift; slot < (page + 1) << PageSlotShift; slot++)
            {
                free += (int)((_free[slot >> 6] >> slot) & 1);
            }

            int pageLive = slots - free - (page == 0 ? 1 : 0); // slot 0 is never handed out
            Invariant.Check(pageLive == _pageLive[page], $"{name}: live slots per page match the bitmap", $"page {page}: {_pageLive[page]} recorded, {pageLive} counted");
            byte state = _pageState[page];
            Invariant.Check(state != Discarding, $"{name}: no discard under way while validating", $"page {page}");
            Invariant.Check((pageLive > 0) == (state == Live), $"{name}: a page is live iff it has live slots", $"page {page}: state {state}, {pageLive} live");
            live += pageLive;
            resident += state == NotResident ? 0 : 1L << _pageShift;
        }

        Invariant.Check(live == LiveSlots, $"{name}: live slot count", $"{LiveSlots} recorded, {live} counted");
        Invariant.Check(resident == ResidentBytes, $"{name}: resident bytes", $"{ResidentBytes} recorded, {resident} counted");
        for (int word = 0; word < _lowestFreeWord; word++)
        {
            Invariant.Check(_free[word] == 0, $"{name}: no free slot below the search start", $"word {word}");
        }
    }

    /// <summary>Unmaps every chunk. Called once, by the heap's dispose, with no reader left.</summary>
    public void Dispose()
    {
        foreach (nint chunk in _chunks)
        {
            _os.Unreserve((void*)chunk, (nuint)1 << _chunkShift);
        }

        _chunks = [];
        _free = [];
        _pageLive = [];
        _pageState = [];
        _lowestFreeWord = 0;
        _capacity = 0;
        _discardingSlots = 0;
        LiveSlots = 0;
        ResidentBytes = 0;
    }

    /// <summary>Slots of a page that can be handed out (slot 0 never is).</summary>
    private int SlotsOnPage(int page) => (1 << PageSlotShift) - (page == 0 ? 1 : 0);

    private void SetPageFree(int page, bool free)
    {
        for (int slot = page << PageSlotShift; slot < (page + 1) << PageSlotShift; slot++)
        {
            if (slot == 0)
            {
                continue;
            }

            ulong bit = 1UL << slot;
            _free[slot >> 6] = free ? _free[slot >> 6] | bit : _free[slot >> 6] & ~bit;
        }

        if (free)
        {
            _lowestFreeWord = Math.Min(_lowestFreeWord, (page << PageSlotShift) >> 6);
        }
    }

    /// <summary>Reserves one more chunk and marks its slots free (slot 0, the first of all, stays unused).</summary>
    private void Grow()
    {
        nuint bytes = (nuint)1 << _chunkShift;
        void* chunk = _os.ReserveMetadata(bytes, bytes);
        if (chunk == null)
        {
            ThrowHelper.ThrowOutOfMemory($"The OS refused {bytes} bytes for the heap's metadata.");
        }

        int slots = SlotsPerChunk;
        int oldCapacity = _capacity;
        _capacity += slots;
        Array.Resize(ref _free, _capacity >> 6);
        _free.AsSpan(oldCapacity >> 6).Fill(ulong.MaxValue);
        if (oldCapacity == 0)
        {
            _free[0] &= ~1UL;
        }

        int pagesPerChunk = 1 << (_chunkShift - _pageShift);
        Array.Resize(ref _pageLive, _pageLive.Length + pagesPerChunk);
        Array.Resize(ref _pageState, _pageState.Length + pagesPerChunk);
        nint[] chunks = [.. _chunks, (nint)chunk];
        Volatile.Write(ref _chunks, chunks);
    }
}
