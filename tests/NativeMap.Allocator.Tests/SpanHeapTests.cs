using System.Runtime.InteropServices;
using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

public sealed unsafe class SpanHeapTests
{
    public static TheoryData<int> Sizes => new() { 1, 8, 9, 16, 24, 100, 256, 1000, 1024, 1025, 4096, 8192, 20000, 32768, 32769, 65536, 200_000, 1 << 20, (4 << 20) + 3 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Allocate_ManyBlocks_AreDistinctAlignedAndKeepTheirContents(int size)
    {
        using SpanHeap heap = Heaps.Quiet();
        int count = Math.Clamp((8 << 20) / size, 4, 2000);
        var blocks = new nint[count];
        for (int i = 0; i < count; i++)
        {
            void* p = heap.Allocate((nuint)size);
            Assert.True(p != null);
            Assert.Equal(0, (nint)p % (size <= 8 ? 8 : 16));
            if (size > SpanHeap.MaxSmallSize)
            {
                Assert.Equal(0, (nint)p % SpanHeap.PageSize);
            }

            Assert.True(heap.GetAllocatedSize(p) >= (nuint)size);
            Pattern.Fill(p, (nuint)size, (ulong)i);
            blocks[i] = (nint)p;
        }

        for (int i = 0; i < count; i++)
        {
            Assert.True(Pattern.Check((void*)blocks[i], (nuint)size, (ulong)i), $"block {i} was overwritten");
        }

        Assert.Equal(count, heap.GetStats().LiveObjects);
        heap.AssertConsistent();
        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }

        HeapStats after = heap.AssertConsistent();
        Assert.Equal(0, after.LiveObjects);
        Assert.Equal(0, after.AllocatedBytes);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AllocateZeroed_ReusedDirtyMemory_ReadsAsZero(int size)
    {
        using SpanHeap heap = Heaps.Quiet();
        var dirty = new List<nint>();
        for (int i = 0; i < 64; i++)
        {
            void* p = heap.Allocate((nuint)size);
            new Span<byte>(p, size).Fill(0xAB);
            dirty.Add((nint)p);
        }

        foreach (nint p in dirty)
        {
            heap.Free((void*)p);
        }

        for (int i = 0; i < 64; i++)
        {
            void* p = heap.AllocateZeroed((nuint)size);
            Assert.True(Pattern.IsZero(p, (nuint)size), $"block {i} of {size} bytes is not zero");
            new Span<byte>(p, size).Fill(0xCD);
        }

        heap.AssertConsistent();
    }

    [Fact]
    public void AllocateZeroed_FreshLargeBlock_IsZeroWithoutBeingTouched()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64 << 20);
        long before = ProcessMemory.GetResidentBytes();
        void* p = heap.AllocateZeroed(48 << 20);
        long after = ProcessMemory.GetResidentBytes();

        // No memset ran: the 48 MiB did not become resident (allow a little for the test's own noise).
        Assert.True(after - before < 16 << 20, $"RSS grew by {(after - before) >> 20} MiB: the fresh pages were cleared");
        Assert.True(Pattern.IsZero(p, 48 << 20));
        heap.Free(p);
    }

    [Fact]
    public void Allocate_Zero_ReturnsUniqueFreeableBlocks()
    {
        using SpanHeap heap = Heaps.Quiet();
        void* a = heap.Allocate(0);
        void* b = heap.Allocate(0);
        Assert.True(a != null && b != null && a != b);
        heap.Free(a);
        heap.Free(b);
        heap.AssertConsistent();
    }

    [Fact]
    public void Free_Null_IsIgnored()
    {
        using SpanHeap heap = Heaps.Quiet();
        heap.Free(null);
        heap.AssertConsistent();
    }

    [Fact]
    public void Free_PointerNotFromHeap_ThrowsAndChangesNothing()
    {
        using SpanHeap heap = Heaps.Quiet();
        using SpanHeap other = Heaps.Quiet();
        void* mine = heap.Allocate(64);
        HeapStats before = heap.GetStats();

        void* foreign = NativeMemory.Alloc(64);
        void* otherHeaps = other.Allocate(64);
        nint onStack = (nint)(&before);
        try
        {
            Assert.Throws<ArgumentException>(() => heap.Free(foreign));
            Assert.Throws<ArgumentException>(() => heap.Free(otherHeaps));
            Assert.Throws<ArgumentException>(() => heap.Free((void*)onStack));
        }
        finally
        {
            NativeMemory.Free(foreign);
            other.Free(otherHeaps);
        }

        HeapStats after = heap.AssertConsistent();
        Assert.Equal(before.LiveObjects, after.LiveObjects);
        Assert.Equal(before.InUseBytes, after.InUseBytes);
        heap.Free(mine);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100_000)]
    public void Free_InteriorPointer_ThrowsArgumentExceptionAndBlockStaysLive(int size)
    {
        using SpanHeap heap = Heaps.Quiet();
        byte* p = (byte*)heap.Allocate((nuint)size);
        Pattern.Fill(p, (nuint)size, 7);

        Assert.Throws<ArgumentException>(() => heap.Free(p + 16));
        Assert.Throws<ArgumentException>(() => heap.Free(p + 1));

        Assert.True(Pattern.Check(p, (nuint)size, 7));
        Assert.Equal(1, heap.AssertConsistent().LiveObjects);
        heap.Free(p);
        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4000)]
    [InlineData(100_000)]
    public void Free_Twice_ThrowsInvalidOperationAndHeapKeepsWorking(int size)
    {
        using SpanHeap heap = Heaps.Quiet();
        void* keep = heap.Allocate((nuint)size);
        void* p = heap.Allocate((nuint)size);
        heap.Free(p);
        HeapStats before = heap.GetStats();

        Assert.Throws<InvalidOperationException>(() => heap.Free(p));

        HeapStats after = heap.AssertConsistent();
        Assert.Equal(before.LiveObjects, after.LiveObjects);

        // The block was not put on a free list twice: two allocations give two different blocks.
        void* x = heap.Allocate((nuint)size);
        void* y = heap.Allocate((nuint)size);
        Assert.True(x != y);
        heap.Free(x);
        heap.Free(y);
        heap.Free(keep);
        heap.AssertConsistent();
    }

    [Fact]
    public void GetAllocatedSize_FreedOrInteriorPointer_Throws()
    {
        using SpanHeap heap = Heaps.Quiet();
        byte* p = (byte*)heap.Allocate(100);
        Assert.Equal((nuint)112, heap.GetAllocatedSize(p));
        Assert.Throws<ArgumentException>(() => heap.GetAllocatedSize(p + 8));
        heap.Free(p);
        Assert.Throws<ArgumentException>(() => heap.GetAllocatedSize(p));
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(SpanHeap.MaxAllocationSize + 1)]
    [InlineData(ulong.MaxValue - 8191)]
    public void Allocate_AbsurdSize_ThrowsOutOfMemoryAndHeapStaysConsistent(ulong size)
    {
        using SpanHeap heap = Heaps.Quiet();
        void* keep = heap.Allocate(1000);
        Assert.Throws<OutOfMemoryException>(() => heap.Allocate((nuint)size));
        Assert.Throws<OutOfMemoryException>(() => heap.AllocateZeroed((nuint)size));
        Assert.Equal(1, heap.AssertConsistent().LiveObjects);
        heap.Free(keep);
    }

    [Fact]
    public void Disposed_EveryCall_ThrowsObjectDisposed()
    {
        var heap = Heaps.Quiet();
        void* p = heap.Allocate(64);
        void* large = heap.Allocate(1 << 20);
        heap.Dispose();
        heap.Dispose(); // idempotent

        Assert.True(heap.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => heap.Allocate(64));
        Assert.Throws<ObjectDisposedException>(() => heap.AllocateZeroed(1 << 20));
        Assert.Throws<ObjectDisposedException>(() => heap.Free(p));
        Assert.Throws<ObjectDisposedException>(() => heap.Free(large));
        Assert.Throws<ObjectDisposedException>(() => heap.FreeOSMemory());
        Assert.Throws<ObjectDisposedException>(() => heap.GetStats());
        Assert.Throws<ObjectDisposedException>(() => heap.GetAllocatedSize(p));
    }

    [Fact]
    public void Dispose_Shared_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => SpanHeap.Shared.Dispose());
        void* p = SpanHeap.Shared.Allocate(32);
        SpanHeap.Shared.Free(p);
        Assert.Equal("shared", SpanHeap.Shared.Name);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new SpanHeap(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ScavengeDecay = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ScavengeDecay = TimeSpan.FromDays(2) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { MemoryLimit = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ScavengerCpuPercent = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ScavengerCpuPercent = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ArenaSize = 3 << 20 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ArenaSize = 48L << 20 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanHeap(new SpanHeapOptions { ArenaSize = 2L << 30 }));
        Assert.Throws<ArgumentNullException>(() => new SpanHeap(new SpanHeapOptions { TimeProvider = null! }));
    }

    [Fact]
    public void Stats_TrackInUseIdleAndLiveObjects()
    {
        using SpanHeap heap = Heaps.Quiet();
        HeapStats empty = heap.AssertConsistent();
        Assert.Equal(0, empty.InUseBytes);
        Assert.Equal(0, empty.ReservedBytes);

        void* large = heap.Allocate(1 << 20);
        void* small = heap.Allocate(100);
        HeapStats live = heap.AssertConsistent();
        Assert.Equal(2, live.LiveObjects);
        Assert.Equal((1 << 20) + 112, live.AllocatedBytes);
        Assert.True(live.InUseBytes >= (1 << 20) + SpanHeap.PageSize);
        Assert.Equal(SpanHeapOptions.MinArenaSize, live.ReservedBytes);
        Assert.Equal(1, live.ArenaCount);

        heap.Free(large);
        heap.Free(small);
        HeapStats freed = heap.AssertConsistent();
        Assert.Equal(0, freed.LiveObjects);
        Assert.True(freed.IdleBytes >= 1 << 20, "freed pages stay resident until released");

        long released = heap.FreeOSMemory();
        HeapStats after = heap.AssertConsistent();
        Assert.Equal(0, after.InUseBytes);
        Assert.Equal(0, after.IdleBytes);
        Assert.Equal(after.ReservedBytes, after.ReleasedBytes);
        Assert.Equal(released, after.ReleasedByForceBytes);
        Assert.True(released >= 1 << 20);
    }

    [Fact]
    public void Allocate_LargerThanArena_GetsArenaOfItsOwn()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 4 << 20);
        byte* p = (byte*)heap.Allocate((10 << 20) + 1);
        p[0] = 1;
        p[10 << 20] = 2;
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(1, stats.ArenaCount);
        Assert.Equal(12 << 20, stats.ReservedBytes);
        heap.Free(p);
        heap.AssertConsistent();
    }

    [Fact]
    public void Free_FromAnotherThread_Works()
    {
        using SpanHeap heap = Heaps.Quiet();
        var blocks = new nint[1000];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)heap.Allocate((nuint)(16 + (i % 300)));
        }

        var thread = new Thread(() =>
        {
            foreach (nint p in blocks)
            {
                heap.Free((void*)p);
            }
        });
        thread.Start();
        thread.Join();

        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
    }
}
