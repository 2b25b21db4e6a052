using System.Runtime.CompilerServices;

namespace NativeMap.Allocator;

/// <summary>
/// The page level of the heap (Go's <c>mheap</c>): arenas, spans, the free-span index, coalescing, released-page and
/// zero tracking, and the primitives the scavenger releases pages with.
/// </summary>
/// <remarks>
/// <para><b>Terms.</b> A page is 8 KiB. A span is a run of pages of one arena, in one <see cref="SpanState"/>. A page
/// is <i>in use</i> (in a Large or Small span), <i>idle</i> (free and resident: "dirty") or <i>released</i> (free and
/// returned to the OS, or never touched). A <i>granule</i> is the OS page in heap pages (1 on x86-64; 2 or 8 with 16 or
/// 64 KiB kernel pages): only whole granules inside one free span are ever released, because releasing part of an OS
/// page would zero its live neighbour.</para>
/// <para><b>Allocation</b> takes a good fit from <see cref="FreeSpans"/>, splits off the rest (which stays free, its
/// released bits and free times untouched), and maps every page of the new span to it. Released pages in it become in
/// use: on Linux a page fault brings them back; with <see cref="IOsMemory.ReuseNeedsCommit"/> they are committed
/// after the lock is dropped. A zeroed request clears only the pages not known to be zero, also after the lock is
/// dropped.</para>
/// <para><b>Free</b> stamps every page with the time, then coalesces with free neighbours found through the page map
/// (the page before the span and the page after it always map to their owners). The merged span's released count is
/// the sum of the parts and its <see cref="HeapSpan.OldestDirty"/> the minimum; per-page free times and released bits
/// stay exact, so a young page merged into an old run is not released early, and a released run merged with a dirty
/// one is not counted as dirty.</para>
/// <para><b>Releasing</b> (<see cref="TakeReleaseRun"/>, <see cref="ReturnReleaseRun"/>) follows Go's
/// <c>scavengeOne</c>: under the lock, carve a run of eligible pages out of a free span and mark it Scavenging, so no
/// one allocates or coalesces it; drop the lock for the OS call; relock, mark the pages released, and free the run
/// back, coalescing. A run lies within one 2 MiB-aligned chunk, so with transparent huge pages a fully free huge page
/// goes back whole and a partly free one is not split more than once.</para>
/// <para><b>Huge pages</b> (when <see cref="SpanHeapOptions.HugePages"/> is on and the OS has transparent huge pages):
/// a large span of at least one huge page (2 MiB) is carved starting on a huge page boundary, and every whole huge page
/// in it is advised (<c>MADV_HUGEPAGE</c>) after the lock is dropped and before the span is returned, so the caller's
/// first touch of each faults in one 2 MiB page. The advice is per huge page and sticks while the huge page is free:
/// a later huge span reusing it costs no call, and the scavenger releases an advised huge page only whole (its release
/// unit is the huge page, not the OS page: a partial <c>MADV_DONTNEED</c> would split the huge page and leave its page
/// table behind, and the next fault there would get 4 KiB pages). Before any other span uses part of an advised huge
/// page, the advice is withdrawn (<c>MADV_NOHUGEPAGE</c>), again without the lock but before that span is returned:
/// otherwise the first touch of an 8 KiB span would fault in 2 MiB, and pages the heap counts as released would be
/// resident. Arenas are advised <c>MADV_NOHUGEPAGE</c> whole when reserved, so that a huge page whose advice is
/// withdrawn merges back into its neighbours' mapping (the kernel splits a mapping at each change of advice; this keeps
/// the count of mappings at most about two per advised run) and so that THP <c>always</c> mode does not put small spans
/// on huge pages behind the heap's accounting.</para>
/// <para><b>Metadata.</b> Span descriptors (<see cref="SpanData"/>, 128 bytes) and small spans' block-state arrays live in
/// native <see cref="SlotPool"/>s beside the arenas, allocated lowest slot first and freed with their spans; pages of
/// the pools that empty go back to the OS at the scavenger's next maintenance pass (and at once on
/// <see cref="SpanHeap.FreeOSMemory"/>), and <see cref="HeapStats.MetadataBytes"/> counts what they hold resident, so the
/// heap's metadata shrinks with the heap and is reported as it is. (They were managed objects, pooled for good: 26 MiB
/// for a million 1,000-byte blocks stayed on the GC heap after every block was freed.) The per-page maps of the arenas
/// (12 bytes per 8 KiB page) stay managed: they are read without the lock and must never fault.</para>
/// <para><b>Lock.</b> <see cref="_lock"/> guards everything here. Lock order: central list lock → page heap lock.
/// No OS call is made with it held but those of growth, which are rare and cost microseconds: <see cref="IOsMemory.Reserve"/> of an
/// arena with its initial no-huge-page advice, and <see cref="IOsMemory.ReserveMetadata"/> of a metadata chunk (1 MiB,
/// every 8,191 spans).</para>
/// <para><b>Accounting invariant</b> (checked by <see cref="HeapCore.Validate"/>):
/// <c>ReservedBytes == (InUsePages + IdlePages + ReleasedPages) · PageSize</c>, each figure equal to the sum over
/// spans.</para>
/// </remarks>
internal sealed unsafe partial class PageHeap
{
    /// <summary>Pages in a 2 MiB chunk: a release never crosses a chunk boundary.</summary>
    public const int ChunkPages = (2 << 20) >> Pages.PageShift;

    private readonly Lock _lock = new();
    private readonly IOsMemory _os;
    private readonly HeapClock _clock;
    private readonly ArenaIndex _index;
    private readonly List<Arena> _arenas = [];
    private readonly FreeSpans _free = new();
    private readonly long _arenaSize;
    private readonly long _limitPages;

    /// <summary>OS page size in heap pages, ≥ 1.</summary>
    private readonly int _granulePages;

    /// <summary>Largest release run, in pages: a 2 MiB chunk, or one granule if that is larger.</summary>
    private readonly int _chunkPages;

    /// <summary>Pages per transparent huge page when the heap uses them, else 0. A multiple of <see cref="ChunkPages"/>
    /// and of the granule, at most an arena.</summary>
    private readonly int _hugePages;

    /// <summary>Pages in huge pages with <see cref="Arena.HugeAdvised"/> set, guarded by _lock.</summary>
    private long _hugeAdvisedPages;

    /// <summary>Dirty-list entries examined by <see cref="TakeReleaseRun"/>, guarded by _lock (for tests: the decay's
    /// release of n free spans must cost O(n) examinations, not O(n²)).</summary>
    private long _dirtyScanSteps;

    // Page accounting, guarded by _lock. In use: Large and Small spans. Idle: unreleased pages of Free and Scavenging
    // spans. Released: released pages of Free and Scavenging spans. Their sum is the reserved page count.
    private long _inUsePages;
    private long _idlePages;
    private long _releasedPages;
    private long _reservedPages;

    // Large blocks live, guarded by _lock.
    private long _largeObjects;
    private long _largeBytes;

    // Release counters in bytes, guarded by _lock.
    private long _releasedByDecay;
    private long _releasedByLimit;
    private long _releasedByGrowth;
    private long _releasedByForce;
    private long _releaseFailures;

    /// <summary>Idle pages to release because the heap grew (see <see cref="SpanHeapOptions.ReleaseOnGrowth"/>),
    /// guarded by _lock. 0 ≤ debt, and 0 unless <see cref="_releaseOnGrowth"/>; only min(debt, _idlePages) is ever
    /// acted on. Best effort: forgiven when nothing more can be released (<see cref="ForgiveGrowthDebt"/>).</summary>
    private long _growthDebtPages;

    /// <summary>Whether allocations of non-resident pages create growth debt.</summary>
    private readonly bool _releaseOnGrowth;

    /// <summary>
    /// Span descriptors (<see cref="SpanData"/>), by <see cref="HeapSpan.Id"/> (slot 0 unused: id 0 means "no span").
    /// A lock-free reader that cannot find an id in the chunks it sees has an id too new to hold any block it may
    /// legitimately free. Freed descriptors go back to the pool, and its empty pages to the OS (<see cref="SlotPool"/>).
    /// </summary>
    private readonly SlotPool _descriptors;

    /// <summary>Block-state arrays of small spans, one pool per power of two from 8 to 1,024 bytes
    /// (<see cref="StatePool"/>).</summary>
    private readonly SlotPool[] _statePools;

    /// <summary>The arena the last lookup found: most lookups hit it and skip the radix table. Written racily by
    /// lookups (a reference store is atomic); cleared on dispose.</summary>
    private Arena? _lastArena;

    private bool _disposed;

    public PageHeap(IOsMemory os, HeapClock clock, long arenaSize, long? memoryLimit, bool releaseOnGrowth = false, bool hugePages = false)
    {
        _releaseOnGrowth = releaseOnGrowth;
        _os = os;
        _clock = clock;
        _arenaSize = arenaSize;
        _index = new ArenaIndex(arenaSize);
        _granulePages = Math.Max(1, os.PageSize >> Pages.PageShift);
        _chunkPages = Math.Max(ChunkPages, _granulePages);
        _limitPages = memoryLimit is { } limit ? Math.Max(1, limit >> Pages.PageShift) : long.MaxValue;
        long hugeBytes = hugePages ? os.HugePageSize : 0;
        bool usable = hugeBytes >= ChunkPages << Pages.PageShift && hugeBytes <= arenaSize
            && hugeBytes % ((long)_granulePages << Pages.PageShift) == 0 && hugeBytes % ((long)ChunkPages << Pages.PageShift) == 0;
        _hugePages = usable ? (int)(hugeBytes >> Pages.PageShift) : 0;
        _descriptors = new SlotPool(os, SpanData.Size, MetadataChunkBytes);
        _statePools = new SlotPool[StatePoolCount];
        for (int i = 0; i < _statePools.Length; i++)
        {
            _statePools[i] = new SlotPool(os, MinStateSlot << i, MetadataChunkBytes);
        }
    }

    /// <summary>Address space reserved at a time for descriptors and state arrays.</summary>
    private const int MetadataChunkBytes = 1 << 20;

    /// <summary>The smallest state-array slot, in bytes.</summary>
    private const int MinStateSlot = 8;

    /// <summary>State pools: 8, 16, ..., 1,024 bytes (a span holds at most 1,024 blocks: 8 KiB of 8-byte blocks).</summary>
    private const int StatePoolCount = 8;

    /// <summary><see cref="HeapSpan.StatesSlot"/> holds the pool index above this many bits of slot number.</summary>
    private const int StateSlotBits = 27;

    /// <summary>The state pool for a span of <paramref name="objects"/> blocks.</summary>
    private static int StatePool(int objects) =>
        objects <= MinStateSlot ? 0 : System.Numerics.BitOperations.Log2((uint)(objects - 1)) + 1 - 3;

    /// <summary>The arena a span lies in (under the lock).</summary>
    public Arena ArenaOf(HeapSpan span) => _arenas[span.ArenaIndex];

    /// <summary>Pages per huge page when the heap uses huge pages, else 0.</summary>
    public int HugePages => _hugePages;

    /// <summary>Why pages were released; each reason has its own counter.</summary>
    public enum ReleaseReason
    {
        Decay,
        Limit,
        Growth,
        Force,
    }

    /// <summary>The lock guarding the page level. Exposed for validation, which holds every lock at once.</summary>
    public Lock Lock => _lock;

    /// <summary>The scavenger to notify when there is new work for it; null when none runs.</summary>
    public Scavenger? Scavenger { get; set; }

    /// <summary>OS page size in heap pages.</summary>
    public int GranulePages => _granulePages;

    public IOsMemory Os => _os;

    /// <summary>Arenas, for validation (read under <see cref="Lock"/>).</summary>
    public List<Arena> Arenas => _arenas;

    /// <summary>The free-span index, for validation (read under <see cref="Lock"/>).</summary>
    public FreeSpans Free => _free;

    /// <summary>Whether resident pages (in use + idle) exceed the memory limit.</summary>
    public bool OverLimit => Volatile.Read(ref _inUsePages) + Volatile.Read(ref _idlePages) > _limitPages;

    /// <summary>Idle pages owed for growth (at most the idle pages there are).</summary>
    public long GrowthDebtPages
    {
        get
        {
            lock (_lock)
            {
                return Math.Min(_growthDebtPages, _idlePages);
            }
        }
    }

    /// <summary>Drops the growth debt: what is left of it cannot be released now (no releasable run, or the OS
    /// refused), and retrying at once would spin.</summary>
    public void ForgiveGrowthDebt()
    {
        lock (_lock)
        {
            _growthDebtPages = 0;
        }
    }

    /// <summary>Whether growth debt is outstanding (a racy read, for the scavenger's sleep decision).</summary>
    public bool HasGrowthDebt => Volatile.Read(ref _growthDebtPages) > 0 && Volatile.Read(ref _idlePages) > 0;

    /// <summary>Resident pages above the memory limit, or 0.</summary>
    public long ExcessPages
    {
        get
        {
            lock (_lock)
            {
                return Math.Max(0, _inUsePages + _idlePages - _limitPages);
            }
        }
    }

    /// <summary>Finds the span owning <paramref name="address"/> without the lock, or the null span when the address is
    /// not in any arena. The result may be stale or unrelated unless the address is in a live block: validate it.</summary>
    public HeapSpan FindSpan(nuint address)
    {
        Arena? arena = _lastArena;
        if (arena is null || address - arena.Base >= arena.Size)
        {
            arena = _index.Find(address);
            if (arena is null)
            {
                return default;
            }

            _lastArena = arena;
        }

        int id = arena.Owner[(int)((address - arena.Base) >> Pages.PageShift)];
        return id == 0 ? default : new HeapSpan((SpanData*)_descriptors.Address(id));
    }

    /// <summary>The span owning page <paramref name="page"/> of <paramref name="arena"/>, under the lock (null for id 0).</summary>
    private HeapSpan OwnerLocked(Arena arena, int page) => Span(arena.Owner[page]);

    /// <summary>The descriptor with id <paramref name="id"/> (null for 0).</summary>
    private HeapSpan Span(int id) => id == 0 ? default : new HeapSpan((SpanData*)_descriptors.Address(id));

    /// <summary>Whether <paramref name="address"/> lies in one of this heap's arenas.</summary>
    public bool InArena(nuint address) => _index.Find(address) is not null;

    /// <summary>
    /// Allocates a span of <paramref name="pages"/> pages in state <paramref name="use"/> (Large or Small).
    /// With <paramref name="zero"/> its contents read as zero. <paramref name="allZero"/> tells whether every page was
    /// already known to be zero (fresh or released), which lets a small-object span skip clearing blocks it has never
    /// handed out.
    /// </summary>
    /// <exception cref="OutOfMemoryException">The OS refused to reserve or commit memory. Nothing changed.</exception>
    /// <remarks>For a small span, <paramref name="objects"/> is the blocks in it: a state array of that many bytes, all
    /// <see cref="HeapSpan.ObjectFree"/>, is allocated with it (<see cref="HeapSpan.ObjectStates"/>).</remarks>
    public HeapSpan AllocateSpan(int pages, SpanState use, bool zero, out bool allZero, int objects = 0)
    {
        HeapSpan span;
        int released;
        int zeroFrom = 0, zeroTo = 0;
        bool huge = _hugePages != 0 && use == SpanState.Large && pages >= _hugePages;
        HugeAdvice advice = default;
        lock (_lock)
        {
            ThrowIfDisposed();
            _descriptors.EnsureFreeLocked(3); // a new arena's span, and the two remainders of the carve
            HeapSpan fit = FindFitLocked(pages, huge);
            byte* states = null;
            int statesSlot = 0;
            if (use == SpanState.Small)
            {
                // Before the carve, so that running out of memory for it changes nothing.
                int poolIndex = StatePool(objects);
                SlotPool pool = _statePools[poolIndex];
                int slot = pool.AllocateLocked();
                states = pool.Address(slot);
                statesSlot = (poolIndex << StateSlotBits) | slot;
                new Span<byte>(states, objects).Clear();
            }

            span = CarveLocked(fit, huge ? HugeStart(fit, pages) : WarmStart(fit, pages), pages);
            span.ObjectStates = states;
            span.StatesSlot = statesSlot;
            Arena arena = ArenaOf(span);
            if (_hugePages != 0)
            {
                advice = PlanHugeAdviceLocked(span, huge);
            }

            released = span.ReleasedPages;
            allZero = released == pages && _os.ReleasedPagesReadZero;
            if (zero && !allZero)
            {
                // Clear from the first to the last page not known to be zero. Released pages in between are cleared
                // too (a fault each); one range keeps this O(1) in space, and the caller is about to use them anyway.
                (zeroFrom, zeroTo) = _os.ReleasedPagesReadZero ? DirtyBounds(arena, span.StartPage, pages) : (0, pages);
            }

            arena.ClearReleased(span.StartPage, pages);
            arena.Owner.AsSpan(span.StartPage, pages).Fill(span.Id);
            span.State = use;
            span.ReleasedPages = 0;
            span.OldestDirty = long.MaxValue;
            _releasedPages -= released;
            _idlePages -= pages - released;
            _inUsePages += pages;
            if (use == SpanState.Large)
            {
                _largeObjects++;
                _largeBytes += span.Bytes;
            }

            if (_inUsePages + _idlePages > _limitPages)
            {
                Scavenger?.NotifyOverLimit();
            }
            else if (_releaseOnGrowth && released > 0 && _idlePages > 0)
            {
                // Resident memory grew by `released` pages while idle ones sit unused: owe as many back.
                _growthDebtPages = Math.Min(_growthDebtPages + released, _idlePages);
                Scavenger?.NotifyOverLimit();
            }
        }

        // The advice must precede the first touch (the commit below, the clear, the caller's writes).
        if (advice.Any)
        {
            ApplyHugeAdvice(ArenaOf(span), advice);
        }

        if (released > 0 && _os.ReuseNeedsCommit && !_os.Commit((void*)span.Base, (nuint)span.Bytes))
        {
            UndoFailedCommit(span);
            ThrowHelper.ThrowOutOfMemory($"The OS refused to commit {span.Bytes} bytes.");
        }

        if (zeroTo > zeroFrom)
        {
            NativeMemoryClear(span.Base + ((nuint)(uint)zeroFrom << Pages.PageShift), (nuint)(uint)(zeroTo - zeroFrom) << Pages.PageShift);
        }

        return span;
    }

    /// <summary>
    /// The free span to carve <paramref name="pages"/> from: the good fit from the bins, unless every page of it is
    /// released while a free span with resident pages would also fit — then the one with the most resident pages, so
    /// that memory kept warm for the decay is reused instead of faulting in released pages (and the scavenger's work
    /// is not undone). Grows the heap when nothing fits.
    /// </summary>
    /// <remarks>A huge span (<paramref name="huge"/>) must fit starting on a huge page boundary (<see cref="HugeStart"/>).</remarks>
    private HeapSpan FindFitLocked(int pages, bool huge)
    {
        HeapSpan fit = _free.FindFit(pages);
        if (huge && !fit.IsNull && !Fits(fit, pages, huge))
        {
            fit = _free.FindFit(pages + _hugePages - 1); // any span this long has an aligned start that fits
        }

        if (fit.IsNull)
        {
            return GrowLocked(pages);
        }

        if (fit.ReleasedPages == fit.PageCount)
        {
            int bestDirty = 0;
            int probed = 0;
            for (HeapSpan s = _free.DirtyHead; !s.IsNull && probed < FreeSpans.DirtyProbe; s = s.DirtyLinks.Next, probed++)
            {
                int dirty = s.PageCount - s.ReleasedPages;
                if (dirty > bestDirty && Fits(s, pages, huge))
                {
                    fit = s;
                    bestDirty = dirty;
                }
            }
        }

        return fit;
    }

    /// <summary>Whether <paramref name="pages"/> fit in free span <paramref name="span"/> (from a huge page boundary
    /// when <paramref name="huge"/>).</summary>
    private bool Fits(HeapSpan span, int pages, bool huge) =>
        huge ? AlignUp(span.StartPage, _hugePages) + pages <= span.EndPage : span.PageCount >= pages;

    /// <summary>Where in <paramref name="span"/> (which <see cref="Fits"/>) to carve a huge span of <paramref name="pages"/>:
    /// on a huge page boundary, the first one, or when the span begins with released pages, the one holding its first
    /// resident page, as far as the span's end allows (as <see cref="WarmStart"/> does). The pages before it stay free.</summary>
    private int HugeStart(HeapSpan span, int pages)
    {
        int hp = _hugePages;
        int start = AlignUp(span.StartPage, hp);
        if (span.ReleasedPages != 0 && span.ReleasedPages != span.PageCount)
        {
            int firstDirty = ArenaOf(span).NextUnreleased(span.StartPage, span.EndPage);
            int lastFit = (span.EndPage - pages) / hp * hp;
            start = Math.Max(start, Math.Min(firstDirty / hp * hp, lastFit));
        }

        return start;
    }

    /// <summary>Where in <paramref name="span"/> to carve <paramref name="pages"/>: at its start, or, when it begins
    /// with released pages, from its first resident page (as far as the span's end allows).</summary>
    private int WarmStart(HeapSpan span, int pages)
    {
        if (span.ReleasedPages == 0 || span.ReleasedPages == span.PageCount || span.PageCount == pages)
        {
            return span.StartPage;
        }

        int firstDirty = ArenaOf(span).NextUnreleased(span.StartPage, span.EndPage);
        return Math.Min(firstDirty, span.EndPage - pages);
    }

    /// <summary>Huge-page advice to give for a span just carved, after the lock is dropped: huge pages
    /// [AdviseFrom, AdviseTo) to advise, [UnadviseFrom, UnadviseTo) to withdraw the advice from (indices of huge pages
    /// in the span's arena; empty when From == To).</summary>
    private readonly record struct HugeAdvice(int AdviseFrom, int AdviseTo, int UnadviseFrom, int UnadviseTo)
    {
        public bool Any => AdviseTo > AdviseFrom || UnadviseTo > UnadviseFrom;
    }

    /// <summary>
    /// Decides the advice for the huge pages that <paramref name="span"/> overlaps: a huge span wants each huge page it
    /// covers whole advised (recorded now, so a concurrent reader of the bits sees the intent); every other overlap wants
    /// none (the bits stay set, with <see cref="Arena.HugeUnadvising"/>, until the withdrawal has returned: another span
    /// carved meanwhile from the same huge page sees them and withdraws the advice itself before its caller can touch it).
    /// </summary>
    private HugeAdvice PlanHugeAdviceLocked(HeapSpan span, bool huge)
    {
        Arena arena = ArenaOf(span);
        int hp = _hugePages;
        int adviseFrom = 0, adviseTo = 0, unadviseFrom = int.MaxValue, unadviseTo = 0;
        bool adviseNeeded = false;
        for (int h = span.StartPage / hp; h * hp < span.EndPage; h++)
        {
            bool whole = h * hp >= span.StartPage && (h + 1) * hp <= span.EndPage;
            bool advised = arena.IsHugeAdvised(h);
            if (huge && whole)
            {
                if (adviseTo == 0)
                {
                    adviseFrom = h;
                }

                adviseTo = h + 1;
                if (!advised)
                {
                    arena.SetHugeAdvised(h, true);
                    _hugeAdvisedPages += hp;
                    adviseNeeded = true;
                }
            }
            else if (advised)
            {
                arena.SetHugeUnadvising(h, true);
                unadviseFrom = Math.Min(unadviseFrom, h);
                unadviseTo = h + 1;
            }
        }

        return new HugeAdvice(adviseNeeded ? adviseFrom : 0, adviseNeeded ? adviseTo : 0,
            unadviseTo > 0 ? unadviseFrom : 0, unadviseTo);
    }

    /// <summary>Gives the advice planned by <see cref="PlanHugeAdviceLocked"/>, without the lock, then clears the bits of
    /// the huge pages whose advice was withdrawn. Advice the OS refuses changes nothing but the huge pages' backing.</summary>
    private void ApplyHugeAdvice(Arena arena, HugeAdvice advice)
    {
        nuint hugeBytes = (nuint)(uint)_hugePages << Pages.PageShift;
        if (advice.AdviseTo > advice.AdviseFrom)
        {
            _ = _os.AdviseHugePages((void*)arena.PageAddress(advice.AdviseFrom * _hugePages),
                (nuint)(uint)(advice.AdviseTo - advice.AdviseFrom) * hugeBytes, huge: true);
        }

        if (advice.UnadviseTo > advice.UnadviseFrom)
        {
            // Huge pages between the two ends that were not advised are NOHUGEPAGE already (the arena's initial advice).
            _ = _os.AdviseHugePages((void*)arena.PageAddress(advice.UnadviseFrom * _hugePages),
                (nuint)(uint)(advice.UnadviseTo - advice.UnadviseFrom) * hugeBytes, huge: false);
            lock (_lock)
            {
                for (int h = advice.UnadviseFrom; h < advice.UnadviseTo; h++)
                {
                    if (arena.IsHugeUnadvising(h))
                    {
                        arena.SetHugeUnadvising(h, false);
                        arena.SetHugeAdvised(h, false);
                        _hugeAdvisedPages -= _hugePages;
                    }
                }
            }
        }
    }

    /// <summary>Frees an in-use span. The caller has validated it.</summary>
    public void FreeSpan(HeapSpan span)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            FreeSpanLocked(span);
        }

        Scavenger?.NotifyIdle();
    }

    /// <summary>
    /// Frees a large block: validates under the lock that <paramref name="address"/> starts a live large span.
    /// </summary>
    /// <returns>The bytes freed.</returns>
    public long FreeLarge(nuint address)
    {
        long bytes;
        lock (_lock)
        {
            ThrowIfDisposed();
            HeapSpan span = FindSpan(address);
            if (span.IsNull || span.State != SpanState.Large || !span.Contains(address))
            {
                ThrowHelper.ThrowInvalidOperation($"Block 0x{(ulong)address:x} is not allocated: it was already freed.");
            }

            if (span.Base != address)
            {
                ThrowHelper.ThrowArgument($"0x{(ulong)address:x} points inside a block of {span.Bytes} bytes starting at 0x{(ulong)span.Base:x}.", "ptr");
            }

            bytes = span.Bytes;
            FreeSpanLocked(span);
        }

        Scavenger?.NotifyIdle();
        return bytes;
    }

    /// <summary>Stamps the pages of an in-use span with the time, coalesces it with free neighbours and indexes it.</summary>
    private void FreeSpanLocked(HeapSpan span)
    {
        if (span.State == SpanState.Large)
        {
            _largeObjects--;
            _largeBytes -= span.Bytes;
        }

        FreeStatesLocked(span);
        long now = _clock.Now();
        ArenaOf(span).StampFreed(span.StartPage, span.PageCount, now);
        _inUsePages -= span.PageCount;
        _idlePages += span.PageCount;
        span.State = SpanState.Free;
        span.ReleasedPages = 0;
        span.OldestDirty = now;
        InsertFreeLocked(CoalesceLocked(span));
    }

    /// <summary>Frees a small span's state array.</summary>
    private void FreeStatesLocked(HeapSpan span)
    {
        if (span.State == SpanState.Small)
        {
            _statePools[span.StatesSlot >> StateSlotBits].FreeLocked(span.StatesSlot & ((1 << StateSlotBits) - 1));
            span.ObjectStates = null;
            span.StatesSlot = 0;
        }
    }

    /// <summary>
    /// Carves a run of releasable pages out of a free span with dirty pages freed at or before <paramref name="cutoff"/>
    /// (the first such span from the dirty list's tail; with <paramref name="oldestOnly"/>, the span with the oldest dirty
    /// pages among the <see cref="FreeSpans.OldestProbe"/> at the tail) and marks it Scavenging, or returns null when
    /// there is none.
    /// </summary>
    /// <param name="cutoff">Pages freed later than this timestamp are not taken.</param>
    /// <param name="maxPages">Upper bound on the run (it is also cut at a 2 MiB chunk boundary).</param>
    /// <param name="oldestOnly">Take the oldest pages (for the memory limit and growth debt), approximately: the run holds
    /// the pages with the oldest free time of the chosen span.</param>
    public HeapSpan TakeReleaseRun(long cutoff, int maxPages, bool oldestOnly)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return default;
            }

            while (true)
            {
                _descriptors.EnsureFreeLocked(2); // the remainders of the carve
                // No whole-list scan per run: that made releasing n interleaved free spans cost O(n^2) under the heap
                // lock (after a scattered delete with compaction, ~16 k free spans between live ones at 1 M entries,
                // hundreds of thousands at 10 M, each a descriptor miss).
                HeapSpan best = default;
                if (oldestOnly)
                {
                    // Approximately the oldest: the smallest among the spans that have been on the list longest. The
                    // limit and growth-debt paths are unpaced and run while the mutator frees and allocates (growth debt
                    // accrues whenever compaction takes fresh pages while deletes leave idle ones), so a whole-list
                    // scan per run kept the scavenger at 100 % of a core under the heap lock.
                    best = _free.OldestNearTail(out int examined);
                    _dirtyScanSteps += examined;
                }
                else
                {
                    // From the tail: the spans freed longest ago are there, the mutator's young ones at the head.
                    for (HeapSpan s = _free.DirtyTail; !s.IsNull; s = s.DirtyLinks.Prev)
                    {
                        _dirtyScanSteps++;
                        if (s.OldestDirty <= cutoff)
                        {
                            best = s;
                            break;
                        }
                    }
                }

                if (best.IsNull || best.OldestDirty > cutoff)
                {
                    return default;
                }

                if (oldestOnly)
                {
                    long exact = ExactOldestDirty(best);
                    if (exact != best.OldestDirty)
                    {
                        // The recorded value was an early lower bound (from a split): correct it and choose again.
                        best.OldestDirty = exact;
                        continue;
                    }
                }

                long effective = oldestOnly ? best.OldestDirty : cutoff;
                if (FindReleasableRun(best, effective, maxPages, out int start, out int count, out long oldestSeen))
                {
                    return CarveReleaseRunLocked(best, start, count);
                }

                // The whole span was scanned and nothing was old enough: its oldest granule is younger than the cutoff
                // (the recorded bound was early). Record the exact value and choose again.
                if (oldestSeen <= effective)
                {
                    ThrowHelper.ThrowInvalidOperation($"SpanHeap invariant 'an eligible granule is releasable' violated for {best}.");
                }

                best.OldestDirty = oldestSeen;
            }
        }
    }

    /// <summary>Ends a release started by <see cref="TakeReleaseRun"/>: records the pages as released (or, when the OS
    /// call failed, leaves them dirty) and frees the run back, coalescing.</summary>
    /// <returns>Bytes newly released.</returns>
    public long ReturnReleaseRun(HeapSpan run, bool success, ReleaseReason reason)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            long bytes = 0;
            if (success)
            {
                ArenaOf(run).SetReleased(run.StartPage, run.PageCount);
                run.ReleasedPages = run.PageCount;
                _idlePages -= run.DirtyInRun;
                _releasedPages += run.DirtyInRun;
                bytes = (long)run.DirtyInRun << Pages.PageShift;
                switch (reason)
                {
                    case ReleaseReason.Decay: _releasedByDecay += bytes; break;
                    case ReleaseReason.Limit: _releasedByLimit += bytes; break;
                    case ReleaseReason.Growth:
                        _releasedByGrowth += bytes;
                        _growthDebtPages = Math.Max(0, _growthDebtPages - run.DirtyInRun);
                        break;
                    default: _releasedByForce += bytes; break;
                }

                run.OldestDirty = long.MaxValue;
            }
            else
            {
                _releaseFailures++;
                run.OldestDirty = long.MinValue;
            }

            run.DirtyInRun = 0;
            run.State = SpanState.Free;
            InsertFreeLocked(CoalesceLocked(run));
            return bytes;
        }
    }

    /// <summary>Free spans with unreleased pages (the dirty list's length).</summary>
    internal int DirtySpanCount
    {
        get
        {
            lock (_lock)
            {
                return _free.DirtyCount;
            }
        }
    }

    /// <summary>Dirty-list entries examined by <see cref="TakeReleaseRun"/> so far.</summary>
    internal long DirtyScanSteps
    {
        get
        {
            lock (_lock)
            {
                return _dirtyScanSteps;
            }
        }
    }

    /// <summary>The earliest free time among the dirty spans at either end of the dirty list (a lower bound for them),
    /// or <see cref="long.MaxValue"/> when there are none.</summary>
    public long OldestDirtyTimestamp()
    {
        lock (_lock)
        {
            // The ends of the list: spans freed longest ago sit at the tail, spans that coalesced with older free
            // neighbours at the head. Bounded, because it runs under the lock on every sleep decision; a span it misses
            // is released at a later wake, once the spans before it are gone.
            HeapSpan tail = _free.OldestNearTail(out _);
            return Math.Min(tail.IsNull ? long.MaxValue : tail.OldestDirty, _free.OldestDirtyNearHead());
        }
    }

    /// <summary>Releases a run through the OS layer without the lock held. Returns false on OS failure.</summary>
    public bool ReleaseToOs(HeapSpan run) => _os.Release((void*)run.Base, (nuint)run.Bytes);

    /// <summary>A consistent snapshot of the page-level figures.</summary>
    public HeapStats Snapshot()
    {
        lock (_lock)
        {
            long metadata = MetadataBytesLocked();
            return new HeapStats
            {
                ReservedBytes = _reservedPages << Pages.PageShift,
                InUseBytes = _inUsePages << Pages.PageShift,
                IdleBytes = _idlePages << Pages.PageShift,
                ReleasedBytes = _releasedPages << Pages.PageShift,
                LiveObjects = _largeObjects,
                AllocatedBytes = _largeBytes,
                MetadataBytes = metadata,
                HugePageAdvisedBytes = _hugeAdvisedPages << Pages.PageShift,
                ArenaCount = _arenas.Count,
                ReleasedByDecayBytes = _releasedByDecay,
                ReleasedByLimitBytes = _releasedByLimit,
                ReleasedByGrowthBytes = _releasedByGrowth,
                ReleasedByForceBytes = _releasedByForce,
                ReleaseFailures = _releaseFailures,
            };
        }
    }

    /// <summary>
    /// Returns the empty pages of the descriptor and state pools to the OS (<see cref="SlotPool"/>). The OS calls are
    /// made without the lock.
    /// </summary>
    /// <returns>Bytes discarded.</returns>
    public long DiscardMetadata()
    {
        var plans = new List<(nint Address, nint Bytes, int FirstPage, int Pages)>[1 + _statePools.Length];
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            for (int i = 0; i < plans.Length; i++)
            {
                plans[i] = MetadataPool(i).BeginDiscardLocked();
            }
        }

        var discarded = new long[plans.Length];
        long total = 0;
        for (int i = 0; i < plans.Length; i++)
        {
            discarded[i] = plans[i].Count == 0 ? 0 : MetadataPool(i).Discard(plans[i]);
            total += discarded[i];
        }

        lock (_lock)
        {
            if (!_disposed)
            {
                for (int i = 0; i < plans.Length; i++)
                {
                    long planned = 0;
                    plans[i].ForEach(r => planned += r.Bytes);
                    MetadataPool(i).EndDiscardLocked(plans[i], discarded[i] == planned);
                }
            }
        }

        return total;
    }

    /// <summary>The descriptor pool (0) and the state pools (1..).</summary>
    private SlotPool MetadataPool(int i) => i == 0 ? _descriptors : _statePools[i - 1];

    /// <summary>Bytes of metadata: what the native pools hold resident and the managed arrays beside them.</summary>
    private long MetadataBytesLocked()
    {
        long bytes = FreeSpans.ManagedBytes;
        foreach (Arena arena in _arenas)
        {
            bytes += arena.MetadataBytes;
        }

        for (int i = 0; i <= _statePools.Length; i++)
        {
            bytes += MetadataPool(i).ResidentBytes + MetadataPool(i).BookkeepingBytes;
        }

        return bytes;
    }

    /// <summary>The address ranges of the arenas, sorted.</summary>
    public (nuint Start, nuint End)[] ArenaRanges()
    {
        lock (_lock)
        {
            var ranges = new (nuint Start, nuint End)[_arenas.Count];
            for (int i = 0; i < ranges.Length; i++)
            {
                ranges[i] = (_arenas[i].Base, _arenas[i].Base + _arenas[i].Size);
            }

            Array.Sort(ranges);
            return ranges;
        }
    }

    /// <summary>Unmaps every arena. Called once, by the heap's dispose.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (Arena arena in _arenas)
            {
                _index.Remove(arena);
                _os.Unreserve((void*)arena.Base, (nuint)arena.Bytes);
            }

            _arenas.Clear();
            _lastArena = null;
            _free.Clear();
            _descriptors.Dispose();
            foreach (SlotPool pool in _statePools)
            {
                pool.Dispose();
            }
        }
    }

    /// <summary>Counters for validation: in-use, idle, released and reserved pages; large objects.</summary>
    public (long InUse, long Idle, long Released, long Reserved, long LargeObjects) CountersLocked() =>
        (_inUsePages, _idlePages, _releasedPages, _reservedPages, _largeObjects);

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Reserves a new arena big enough for <paramref name="pages"/> and indexes its single free span.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // rare: once per arena
    private HeapSpan GrowLocked(int pages)
    {
        long needed = (long)pages << Pages.PageShift;
        long bytes = (needed + _arenaSize - 1) / _arenaSize * _arenaSize;
        int arenaPages = checked((int)(bytes >> Pages.PageShift));

        void* address = _os.Reserve((nuint)bytes, (nuint)_arenaSize);
        if (address == null)
        {
            ThrowHelper.ThrowOutOfMemory($"The OS refused to reserve {bytes} bytes of address space.");
        }

        Arena arena;
        try
        {
            if (!_index.CanIndex((nuint)address, bytes))
            {
                ThrowHelper.ThrowOutOfMemory("The OS returned address space above 2^48, which the heap cannot index.");
            }

            arena = new Arena((nuint)address, arenaPages, _hugePages);
        }
        catch (OutOfMemoryException)
        {
            _os.Unreserve(address, (nuint)bytes);
            throw;
        }

        if (_hugePages != 0)
        {
            // Part of reserving (see the class remarks): no huge pages but where a huge span asks for them.
            _ = _os.AdviseHugePages(address, (nuint)bytes, huge: false);
        }

        arena.SetReleased(0, arenaPages);
        _arenas.Add(arena);
        HeapSpan span;
        try
        {
            span = NewDescriptor(arena, 0, arenaPages);
        }
        catch (OutOfMemoryException)
        {
            _arenas.RemoveAt(_arenas.Count - 1);
            _os.Unreserve(address, (nuint)bytes);
            throw;
        }

        span.State = SpanState.Free;
        span.ReleasedPages = arenaPages;
        arena.Owner[0] = span.Id;
        arena.Owner[arenaPages - 1] = span.Id;
        _index.Add(arena);
        _reservedPages += arenaPages;
        _releasedPages += arenaPages;
        InsertFreeLocked(span);
        return span;
    }

    /// <summary>Takes [start, start + pages) out of free span <paramref name="span"/>; the pages before and after stay
    /// free as spans of their own. Returns the descriptor now describing the carved run (state still Free), with its
    /// <see cref="HeapSpan.ReleasedPages"/> set.</summary>
    /// <remarks>Released counts come from the bitmap only for the carved run and the smaller remainder, and by
    /// subtraction for the larger one, so carving a small block off a big free run costs O(block), not O(run).</remarks>
    private HeapSpan CarveLocked(HeapSpan span, int start, int pages)
    {
        RemoveFreeLocked(span);
        Arena arena = ArenaOf(span);
        int end = start + pages;
        int leftPages = start - span.StartPage;
        int rightPages = span.EndPage - end;
        int carvedReleased = arena.CountReleased(start, pages);
        int restReleased = span.ReleasedPages - carvedReleased;
        int leftReleased, rightReleased;
        if (leftPages <= rightPages)
        {
            leftReleased = arena.CountReleased(span.StartPage, leftPages);
            rightReleased = restReleased - leftReleased;
        }
        else
        {
            rightReleased = arena.CountReleased(end, rightPages);
            leftReleased = restReleased - rightReleased;
        }

        if (leftPages > 0)
        {
            InsertRemainderLocked(arena, span.StartPage, leftPages, leftReleased, span.OldestDirty);
        }

        if (rightPages > 0)
        {
            InsertRemainderLocked(arena, end, rightPages, rightReleased, span.OldestDirty);
        }

        span.StartPage = start;
        span.PageCount = pages;
        span.Base = arena.PageAddress(start);
        span.ReleasedPages = carvedReleased;
        arena.Owner[start] = span.Id;
        arena.Owner[end - 1] = span.Id;
        return span;
    }

    /// <summary>Indexes the part of a split free span that stays free. Its free times and released bits are untouched;
    /// the parent's <see cref="HeapSpan.OldestDirty"/> remains a valid lower bound for it.</summary>
    private void InsertRemainderLocked(Arena arena, int start, int pages, int released, long oldestDirty)
    {
        HeapSpan rest = NewDescriptor(arena, start, pages);
        rest.State = SpanState.Free;
        rest.ReleasedPages = released;
        rest.OldestDirty = oldestDirty;
        arena.Owner[start] = rest.Id;
        arena.Owner[start + pages - 1] = rest.Id;
        InsertFreeLocked(rest);
    }

    private HeapSpan CarveReleaseRunLocked(HeapSpan span, int start, int count)
    {
        HeapSpan run = CarveLocked(span, start, count);
        run.DirtyInRun = count - run.ReleasedPages;
        run.State = SpanState.Scavenging;
        return run;
    }

    /// <summary>Merges a span that has just become free with free neighbours. Returns the merged span (not yet indexed).</summary>
    private HeapSpan CoalesceLocked(HeapSpan span)
    {
        Arena arena = ArenaOf(span);
        HeapSpan left = span.StartPage > 0 ? OwnerLocked(arena, span.StartPage - 1) : default;
        if (!left.IsNull && left.State == SpanState.Free && left.EndPage == span.StartPage)
        {
            RemoveFreeLocked(left);
            span.StartPage = left.StartPage;
            span.Base = left.Base;
            span.PageCount += left.PageCount;
            span.ReleasedPages += left.ReleasedPages;
            span.OldestDirty = Math.Min(span.OldestDirty, left.OldestDirty);
            Recycle(left);
        }

        HeapSpan right = span.EndPage < arena.PageCount ? OwnerLocked(arena, span.EndPage) : default;
        if (!right.IsNull && right.State == SpanState.Free && right.StartPage == span.EndPage)
        {
            RemoveFreeLocked(right);
            span.PageCount += right.PageCount;
            span.ReleasedPages += right.ReleasedPages;
            span.OldestDirty = Math.Min(span.OldestDirty, right.OldestDirty);
            Recycle(right);
        }

        arena.Owner[span.StartPage] = span.Id;
        arena.Owner[span.EndPage - 1] = span.Id;
        return span;
    }

    private void InsertFreeLocked(HeapSpan span)
    {
        _free.Insert(span);
        if (span.ReleasedPages < span.PageCount)
        {
            _free.AddDirty(span);
        }
        else
        {
            span.OldestDirty = long.MaxValue;
        }
    }

    private void RemoveFreeLocked(HeapSpan span)
    {
        _free.Remove(span);
        if (span.InDirtyList)
        {
            _free.RemoveDirty(span);
        }
    }

    /// <summary>
    /// The release unit holding <paramref name="page"/>: the advised huge page it lies in (released only whole), else
    /// its granule (the OS page).
    /// </summary>
    private (int Start, int End) ReleaseUnit(Arena arena, int page)
    {
        int size = arena.InAdvisedHugePage(page) ? _hugePages : _granulePages;
        int start = page / size * size;
        return (start, start + size);
    }

    /// <summary>
    /// The exact release time of the oldest releasable dirty unit of a free span (see <see cref="ReleaseUnit"/>): a unit's
    /// release time is the latest free time among its dirty pages. <see cref="long.MaxValue"/> when no unit wholly inside
    /// the span has a dirty page. Skips released pages 64 at a time.
    /// </summary>
    private long ExactOldestDirty(HeapSpan span)
    {
        Arena arena = ArenaOf(span);
        long oldest = long.MaxValue;
        for (int page = span.StartPage; (page = arena.NextUnreleased(page, span.EndPage)) >= 0;)
        {
            (int start, int end) = ReleaseUnit(arena, page);
            if (start >= span.StartPage && end <= span.EndPage)
            {
                oldest = Math.Min(oldest, UnitReleaseTime(arena, start, end));
            }

            page = end;
        }

        return oldest;
    }

    /// <summary>
    /// Finds the first run in <paramref name="span"/> of whole release units, each either released already or with every
    /// dirty page freed at or before <paramref name="cutoff"/>, that starts and ends with a dirty unit and stays within one
    /// chunk: an advised huge page alone (whatever <paramref name="maxPages"/> says: it is released whole or not at all),
    /// or granules up to <paramref name="maxPages"/> (at least one). When there is none, <paramref name="oldestSeen"/> is
    /// the exact release time of the span's oldest dirty unit.
    /// </summary>
    private bool FindReleasableRun(HeapSpan span, long cutoff, int maxPages, out int start, out int count, out long oldestSeen)
    {
        Arena arena = ArenaOf(span);
        int g = _granulePages;
        oldestSeen = long.MaxValue;
        start = -1;
        count = 0;
        for (int page = span.StartPage; (page = arena.NextUnreleased(page, span.EndPage)) >= 0;)
        {
            (int unitStart, int unitEnd) = ReleaseUnit(arena, page);
            page = unitEnd;
            if (unitStart < span.StartPage || unitEnd > span.EndPage)
            {
                continue;
            }

            long t = UnitReleaseTime(arena, unitStart, unitEnd);
            if (t > cutoff)
            {
                oldestSeen = Math.Min(oldestSeen, t);
                continue;
            }

            start = unitStart;
            if (unitEnd - unitStart > g)
            {
                count = unitEnd - unitStart; // an advised huge page
                return true;
            }

            break;
        }

        if (start < 0)
        {
            return false;
        }

        // Extend over eligible and already-released granules, up to the chunk end, the span end and the size limit. The
        // start's huge page is not advised, and the chunk lies within it, so every unit here is a granule.
        int end = span.EndPage / g * g;
        int limitEnd = Math.Min(Math.Min(end, (start / _chunkPages * _chunkPages) + _chunkPages), start + Math.Max(g, maxPages / g * g));
        int runEnd = start + g;
        for (int granule = runEnd; granule + g <= limitEnd; granule += g)
        {
            long t = UnitReleaseTime(arena, granule, granule + g);
            if (t == long.MaxValue)
            {
                continue;
            }

            if (t > cutoff)
            {
                break;
            }

            runEnd = granule + g;
        }

        count = runEnd - start;
        return true;
    }

    /// <summary>The latest free time of the dirty pages of [start, end), or <see cref="long.MaxValue"/> if all are released.</summary>
    private static long UnitReleaseTime(Arena arena, int start, int end)
    {
        long latest = long.MaxValue;
        for (int page = start; (page = arena.NextUnreleased(page, end)) >= 0; page++)
        {
            long t = arena.FreedAt[page];
            latest = latest == long.MaxValue ? t : Math.Max(latest, t);
        }

        return latest;
    }

    /// <summary>The first dirty page and one past the last dirty page of [start, start + pages), relative to start.</summary>
    private static (int From, int To) DirtyBounds(Arena arena, int start, int pages)
    {
        int from = 0;
        while (from < pages && arena.IsReleased(start + from))
        {
            from++;
        }

        int to = pages;
        while (to > from && arena.IsReleased(start + to - 1))
        {
            to--;
        }

        return (from, to);
    }

    /// <summary>After a failed commit: gives the span back as released pages (decommitting all of it so the
    /// bookkeeping is true whatever the failed call left committed).</summary>
    private void UndoFailedCommit(HeapSpan span)
    {
        _ = _os.Release((void*)span.Base, (nuint)span.Bytes);
        lock (_lock)
        {
            if (span.State == SpanState.Large)
            {
                _largeObjects--;
                _largeBytes -= span.Bytes;
            }

            FreeStatesLocked(span);
            ArenaOf(span).SetReleased(span.StartPage, span.PageCount);
            _inUsePages -= span.PageCount;
            _releasedPages += span.PageCount;
            span.State = SpanState.Free;
            span.ReleasedPages = span.PageCount;
            span.OldestDirty = long.MaxValue;
            InsertFreeLocked(CoalesceLocked(span));
        }
    }

    /// <summary>A descriptor from the pool, describing [start, start + pages) of <paramref name="arena"/> (the last arena
    /// added, or one already known). Its other fields are cleared.</summary>
    /// <exception cref="OutOfMemoryException">The OS refused memory for descriptors. Nothing changed.</exception>
    private HeapSpan NewDescriptor(Arena arena, int start, int pages)
    {
        int id = _descriptors.AllocateLocked();
        var span = new HeapSpan((SpanData*)_descriptors.Address(id));
        *span.Data = default;
        span.Id = id;
        span.ArenaIndex = arena == _arenas[^1] ? _arenas.Count - 1 : _arenas.IndexOf(arena);
        span.StartPage = start;
        span.PageCount = pages;
        span.Base = arena.PageAddress(start);
        span.Bin = -1;
        span.OldestDirty = long.MaxValue;
        return span;
    }

    /// <summary>Returns a descriptor to the pool (its state becomes Dead first, for lock-free readers of stale ids).</summary>
    public void Recycle(HeapSpan span)
    {
        span.State = SpanState.Dead;
        span.Bin = -1;
        span.InDirtyList = span.InPartialList = false;
        _descriptors.FreeLocked(span.Id);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }
    }

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static void NativeMemoryClear(nuint address, nuint bytes) =>
        System.Runtime.InteropServices.NativeMemory.Clear((void*)address, bytes);
}
