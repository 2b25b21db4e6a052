using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeMap.Allocator;

/// <summary>
/// A span: a run of contiguous pages of one arena (Go's <c>mspan</c>; not <see cref="System.Span{T}"/>). A handle to a
/// native descriptor (<see cref="SpanData"/>, 128 bytes in the page heap's descriptor <see cref="SlotPool"/>); the
/// default value is the null span. One descriptor layout serves every state; the fields of each state are grouped in
/// <see cref="SpanData"/> with their invariants, and this handle exposes each as a <c>ref</c>.
/// Descriptors are reused, so a stale id (from an interior page-map entry of a free span) may find a descriptor
/// describing something else: code that looks a span up by address validates range and state before trusting it.
/// </summary>
internal readonly unsafe struct HeapSpan : IEquatable<HeapSpan>
{
    public const byte ObjectFree = 0;
    public const byte ObjectAllocated = 0xA1;

    private readonly SpanData* _data;

    public HeapSpan(SpanData* data) => _data = data;

    /// <summary>Whether this is the null span.</summary>
    public bool IsNull => _data == null;

    /// <summary>The descriptor's address.</summary>
    public SpanData* Data => _data;

    public ref int Id => ref _data->Id;

    public ref int ArenaIndex => ref _data->ArenaIndex;

    public ref int StartPage => ref _data->StartPage;

    public ref int PageCount => ref _data->PageCount;

    public ref nuint Base => ref _data->Base;

    public ref SpanState State => ref _data->State;

    public ref int Bin => ref _data->Bin;

    public ref SpanLinks BinLinks => ref _data->BinLinks;

    public ref SpanLinks DirtyLinks => ref _data->DirtyLinks;

    public ref bool InDirtyList => ref _data->InDirtyList;

    public ref int ReleasedPages => ref _data->ReleasedPages;

    public ref long OldestDirty => ref _data->OldestDirtyOrFreeList;

    public ref int DirtyInRun => ref _data->DirtyInRunOrFreeCount;

    public ref int SizeClass => ref _data->SizeClass;

    public ref int ObjectSize => ref _data->ObjectSize;

    public ref int ObjectCount => ref _data->ObjectCount;

    public ref uint DivMagic => ref _data->DivMagic;

    public ref byte* ObjectStates => ref _data->ObjectStates;

    public ref int StatesSlot => ref _data->StatesSlot;

    public ref nuint FreeList => ref Unsafe.As<long, nuint>(ref _data->OldestDirtyOrFreeList);

    public ref int FreeCount => ref _data->DirtyInRunOrFreeCount;

    public ref int BumpIndex => ref _data->BumpIndex;

    public ref bool FreshZero => ref _data->FreshZero;

    public ref SpanLinks PartialLinks => ref _data->PartialLinks;

    public ref bool InPartialList => ref _data->InPartialList;

    /// <summary>Blocks of this span in thread caches or with callers.</summary>
    public int OutCount => _data->BumpIndex - _data->DirtyInRunOrFreeCount;

    /// <summary>Whether the span can hand out another block.</summary>
    public bool HasFreeObjects => _data->DirtyInRunOrFreeCount > 0 || _data->BumpIndex < _data->ObjectCount;

    /// <summary>Bytes spanned.</summary>
    public long Bytes => (long)_data->PageCount << Pages.PageShift;

    /// <summary>One past the last page index.</summary>
    public int EndPage => _data->StartPage + _data->PageCount;

    /// <summary>Whether <paramref name="address"/> lies within the span's pages.</summary>
    public bool Contains(nuint address) => address - _data->Base < (nuint)Bytes;

    public static bool operator ==(HeapSpan left, HeapSpan right) => left._data == right._data;

    public static bool operator !=(HeapSpan left, HeapSpan right) => left._data != right._data;

    public bool Equals(HeapSpan other) => _data == other._data;

    public override bool Equals(object? obj) => obj is HeapSpan other && Equals(other);

    public override int GetHashCode() => ((nint)_data).GetHashCode();

    public override string ToString() => IsNull ? "span[null]" :
        $"span[{State} pages {StartPage}..{EndPage} at 0x{(ulong)Base:x}" + (State == SpanState.Small ? $", class {SizeClass}]" : "]");
}

/// <summary>
/// The native span descriptor behind <see cref="HeapSpan"/>: 128 bytes, one slot of the page heap's descriptor pool.
/// A freed slot is zeroed in its state only (Dead); everything else is rewritten when the slot is reused. Two fields
/// serve two states each (a Free or Scavenging span never has blocks; a Small span is never in the free index): the
/// handle names them by state.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SpanData
{
    // ---- identity (all states but Dead) — guarded by the page heap lock; stable while the span is in use ----

    /// <summary>Slot in the descriptor pool; what <see cref="Arena.Owner"/> stores. Fixed for the slot's life.</summary>
    public int Id;

    /// <summary>Index of the span's arena in the page heap's arena list.</summary>
    public int ArenaIndex;

    /// <summary>Index of the first page within the arena.</summary>
    public int StartPage;

    /// <summary>Number of pages, ≥ 1.</summary>
    public int PageCount;

    /// <summary>Address of the first page.</summary>
    public nuint Base;

    /// <summary>See <see cref="SpanState"/>.</summary>
    public SpanState State;

    /// <summary>Whether the span is in the dirty list.</summary>
    public bool InDirtyList;

    /// <summary>Whether the span is in its central list's partial list.</summary>
    public bool InPartialList;

    /// <summary>Small spans: the span's pages were all zero when it was carved, so blocks at or above
    /// <see cref="BumpIndex"/> read as zero and <c>AllocateZeroed</c> need not clear them.</summary>
    public bool FreshZero;

    // ---- free and scavenging spans — guarded by the page heap lock ----

    /// <summary>Bin in <see cref="FreeSpans"/>, or -1 when not in the index. Invariant: a Free span is in bin
    /// <c>FreeSpans.BinOf(PageCount)</c>; no other span is in any bin.</summary>
    public int Bin;

    /// <summary>Links of the bin's list.</summary>
    public SpanLinks BinLinks;

    /// <summary>Links of the dirty list. Invariant: a Free span is in the dirty list iff <c>ReleasedPages &lt; PageCount</c>.</summary>
    public SpanLinks DirtyLinks;

    /// <summary>Pages with the arena's released bit. Invariant (Free, Scavenging):
    /// <c>ReleasedPages == Arena.CountReleased(StartPage, PageCount)</c>.</summary>
    public int ReleasedPages;

    /// <summary>
    /// Scavenging: dirty pages in the run being released (they become released on success). Small (under the central
    /// list's lock): the length of the span's free list.
    /// </summary>
    public int DirtyInRunOrFreeCount;

    /// <summary>
    /// Free and Scavenging: a lower bound on the release time of the oldest releasable dirty unit (the latest free time
    /// among its dirty pages), or <see cref="long.MaxValue"/> when it has none. Coalescing takes the minimum of the
    /// parts; a split keeps the parent's value for each part, so it may be early, never late: the scavenger recomputes
    /// it exactly when it finds nothing to release at that time.
    /// Small (under the central list's lock): the head of the intrusive list of free blocks returned to the span (the
    /// next pointer is stored in the block's first 8 bytes), 0 when empty; every block on it has index &lt;
    /// <see cref="BumpIndex"/>.
    /// </summary>
    public long OldestDirtyOrFreeList;

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
    /// One byte per block: <see cref="HeapSpan.ObjectAllocated"/> while the block belongs to a caller,
    /// <see cref="HeapSpan.ObjectFree"/> while it is in a thread cache, on the span's free list, or never handed out.
    /// A slot of one of the page heap's state pools (by <see cref="ObjectCount"/>), allocated with the span and freed with
    /// it, so a thread cache can keep a block's state address while the block is out. Written by the thread that
    /// allocates or frees the block, without a lock: each byte has one writer at a time, and ownership passes with the
    /// block.
    /// </summary>
    public byte* ObjectStates;

    /// <summary>Blocks with index ≥ BumpIndex have never left the span. Blocks out of the span (in caches or with
    /// callers) number <c>BumpIndex - FreeCount</c>.</summary>
    public int BumpIndex;

    /// <summary>Small: the state pool of <see cref="ObjectStates"/> (the bits above the low 27) and its slot in it.</summary>
    public int StatesSlot;

    /// <summary>Links of the central list's partial list (spans with free blocks and blocks out).</summary>
    public SpanLinks PartialLinks;

    /// <summary>Bytes per descriptor: the pool's slot size.</summary>
    public const int Size = 128;
}
