using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

/// <summary>Page-level placement: coalescing, and reuse of resident pages before released ones.</summary>
public sealed unsafe class PageHeapTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public void Free_NeighbouringSpans_CoalesceIntoOne()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64 * MiB);
        byte* a = (byte*)heap.Allocate(MiB);
        byte* b = (byte*)heap.Allocate(MiB);
        byte* c = (byte*)heap.Allocate(MiB);
        Assert.True(b == a + MiB && c == b + MiB);

        heap.Free(b);
        heap.Free(a);
        heap.Free(c);
        heap.Validate(); // checks that no two free spans are neighbours

        // The three merged with the rest of the arena: one 3 MiB request now fits where they were.
        byte* d = (byte*)heap.Allocate(3 * MiB);
        Assert.True(d == a);
        heap.Free(d);
        heap.AssertConsistent();
    }

    [Fact]
    public void Allocate_PrefersAResidentSpanToAReleasedBetterFit()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64 * MiB);
        byte* small = (byte*)heap.Allocate(2 * MiB);
        byte* spacer1 = (byte*)heap.Allocate(64 << 10);
        byte* large = (byte*)heap.Allocate(8 * MiB);
        byte* spacer2 = (byte*)heap.Allocate(64 << 10);
        new Span<byte>(small, 2 * MiB).Fill(1);
        new Span<byte>(large, 8 * MiB).Fill(2);

        heap.Free(small);
        heap.FreeOSMemory(); // the 2 MiB hole is released
        heap.Free(large);    // the 8 MiB hole is resident
        long releasedBefore = heap.GetStats().ReleasedBytes;

        byte* p = (byte*)heap.Allocate(2 * MiB);
        Assert.True(p >= large && p < large + (8 * MiB), "the resident span was reused");
        Assert.Equal(releasedBefore, heap.AssertConsistent().ReleasedBytes);

        heap.Free(p);
        heap.Free(spacer1);
        heap.Free(spacer2);
        heap.AssertConsistent();
    }

    [Fact]
    public void Allocate_InAPartlyReleasedSpan_CarvesTheResidentPart()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64 * MiB);
        byte* a = (byte*)heap.Allocate(2 * MiB);
        byte* b = (byte*)heap.Allocate(2 * MiB);
        byte* spacer = (byte*)heap.Allocate(64 << 10);
        new Span<byte>(a, 4 * MiB).Fill(3);

        heap.Free(a);
        heap.FreeOSMemory(); // a is released
        heap.Free(b);        // b is resident and coalesces with a: [released a][resident b]
        heap.Validate();
        long releasedBefore = heap.GetStats().ReleasedBytes;

        byte* p = (byte*)heap.AllocateZeroed(2 * MiB);
        Assert.True(p == b, "carved from the resident half");
        Assert.True(Pattern.IsZero(p, 2 * MiB));
        Assert.Equal(releasedBefore, heap.AssertConsistent().ReleasedBytes);
        heap.Free(p);
        heap.Free(spacer);
    }
}
