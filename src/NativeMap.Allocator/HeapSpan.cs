namespace NativeMap.Allocator;

/// <summary>
/// A span: a run of contiguous pages of one arena (Go's <c>mspan</c>; not <see cref="System.Span{T}"/>). One
/// descriptor class serves every state; the fields of each state are grouped below with their invariants.
/// Descriptors are pooled, so a stale reference (from an interior page-map entry of a free span) may find a descriptor
/// describing something else: code that looks a span up by address validates range and state before trusting it.
/// </summary>
internal sealed unsafe class HeapSpan
{
    /// <summary>Index in the page heap's span table; what <see cref="Arena.Owner"/> stores. Fixed for the descriptor's life.</summary>
    public int Id;

    // ---- identity (all states but Dead) — guarded by the page heap lock; stable while the span is in use ----

    /// <summary>The arena the span lies in.</summary>
    public Arena Arena = null!;

    /// <summary>Index of the first page within <see cref="Arena"/>.</summary>
    public int StartPage;

    /// <summary>Number of pages, ≥ 1.</summary>
    public int PageCount;

    /// <summary>Address of the first page: <c>Arena.PageAddress(StartPage)</c>.</summary>
    public nuint Base;

    /// <summary>See <see cref="SpanState"/>.</summary>
    public SpanState State;

    // ---- free and scavenging spans — guarded by the page heap lock ----

    /// <summary>Bin in <see cref="FreeSpans"/>, or -1 when not in the index. Invariant: a Free span is in bin
    /// <c>FreeSpans.BinOf(PageCount)</c>; no other span is in any bin.</summary>
    public int Bin = -1;

    /// <summary>Links of the bin's list (and, for a Dead descriptor, of the pool).</summary>
    public SpanLinks BinLinks;

    /// <summary>Links of the dirty list. Invariant: a Free span is in the dirty list iff
    /// <c>ReleasedPages &lt; PageCount</c>.</summary>
    public SpanLinks DirtyLinks;

    /// <summary>Whether the span is in the dirty list.</summary>
    public bool InDirtyList;

    /// <summary>Pages with the arena's released bit. Invariant (Free, Scavenging):
    /// <c>ReleasedPages == Arena.CountReleased(StartPage, PageCount)</c>.</summary>
    public int ReleasedPages;

    /// <summary>
    /// A lower bound on the release time of the oldest releasable dirty granule (the latest free time among its dirty
    /// pages), or <see cref="long.MaxValue"/> when it has none. Coalescing takes the minimum of the parts; a split
    /// keeps the parent's value for each part, so it may be early, never late: the scavenger recomputes it exactly
    /// when it finds nothing to release at that time.
    /// </summary>
    public long OldestDirty = long.MaxValue;

    /// <summary>Scavenging only: dirty pages in the run being released (they become released on success).</summary>
    public int DirtyInRun;

    // ---- small-object spans (State == Small) — guarded by the central list's lock, except ObjectStates ----

    /// <summary>Size class, ≥ 1.</summary>
    public int SizeClass;

    /// <summary>Block size of the class.</summary>
    public int ObjectSize;

    /// <summary>Blocks in the span.</summary>
    public int ObjectCount;

    /// <summary><see cref="SizeClasses.DivMagic"/> of the class: block index = (offset * DivMagic) &gt;&gt; 32.</summary>
    public uint DivMagic;

    /// <summary>
    /// One byte per block: <see cref="ObjectAllocated"/> while the block belongs to a caller, <see cref="ObjectFree"/>
    /// while it is in a thread cache, on the span's free list, or never handed out. Points into
    /// <see cref="ObjectStatesArray"/>, which is pinned, so a thread cache can keep a block's state address. Written by
    /// the thread that allocates or frees the block, without a lock: each byte has one writer at a time, and ownership
    /// of the byte passes with the block.
    /// </summary>
    public byte* ObjectStates;

    /// <summary>The pinned array behind <see cref="ObjectStates"/>, kept across reuse of the descriptor.</summary>
    public byte[]? ObjectStatesArray;

    /// <summary>Length of <see cref="ObjectStatesArray"/>.</summary>
    public int ObjectStatesCapacity;

    /// <summary>Head of the intrusive list of free blocks returned to the span (the next pointer is stored in the
    /// block's first 8 bytes), 0 when empty. Every block on it has index &lt; <see cref="BumpIndex"/>.</summary>
    public nuint FreeList;

    /// <summary>Length of <see cref="FreeList"/>.</summary>
    public int FreeCount;

    /// <summary>Blocks with index ≥ BumpIndex have never left the span. Blocks out of the span (in caches or with
    /// callers) number <c>BumpIndex - FreeCount</c> (see <see cref="OutCount"/>).</summary>
    public int BumpIndex;

    /// <summary>The span's pages were all zero when it was carved, so blocks at or above <see cref="BumpIndex"/> read
    /// as zero and <c>AllocateZeroed</c> need not clear them.</summary>
    public bool FreshZero;

    /// <summary>Links of the central list's partial list (spans with free blocks and blocks out).</summary>
    public SpanLinks PartialLinks;

    /// <summary>Whether the span is in its central list's partial list.</summary>
    public bool InPartialList;

    /// <summary>Blocks of this span in thread caches or with callers.</summary>
    public int OutCount => BumpIndex - FreeCount;

    /// <summary>Whether the span can hand out another block.</summary>
    public bool HasFreeObjects => FreeCount > 0 || BumpIndex < ObjectCount;

    /// <summary>Bytes spanned.</summary>
    public long Bytes => (long)PageCount << Pages.PageShift;

    /// <summary>One past the last page index.</summary>
    public int EndPage => StartPage + PageCount;

    public const byte ObjectFree = 0;
    public const byte ObjectAllocated = 0xA1;

    /// <summary>Whether <paramref name="address"/> lies within the span's pages.</summary>
    public bool Contains(nuint address) => address - Base < (nuint)Bytes;

    public override string ToString() =>
        $"span[{State} pages {StartPage}..{EndPage} of arena 0x{(ulong)(Arena?.Base ?? 0):x}" + (State == SpanState.Small ? $", class {SizeClass}]" : "]");
}
