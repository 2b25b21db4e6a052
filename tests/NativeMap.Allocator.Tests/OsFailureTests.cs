using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

/// <summary>Injected OS failures: the caller gets a clear exception, and the heap stays consistent and usable.</summary>
public sealed unsafe class OsFailureTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(1 << 20)]
    public void Reserve_Refused_ThrowsOutOfMemory_ThenRecovers(int size)
    {
        var os = new TestOs { FailReserve = true };
        using SpanHeap heap = Heaps.Quiet(os);

        Assert.Throws<OutOfMemoryException>(() => heap.Allocate((nuint)size));
        Assert.Throws<OutOfMemoryException>(() => heap.AllocateZeroed((nuint)size));
        HeapStats failed = heap.AssertConsistent();
        Assert.Equal(0, failed.ReservedBytes);
        Assert.Equal(0, failed.LiveObjects);

        os.FailReserve = false;
        void* p = heap.AllocateZeroed((nuint)size);
        Assert.True(Pattern.IsZero(p, (nuint)size));
        heap.Free(p);
        heap.AssertConsistent();
    }

    [Fact]
    public void Release_Fails_PagesStayIdleAndFailureIsCounted_ThenSucceeds()
    {
        var os = new TestOs { FailRelease = true };
        using SpanHeap heap = Heaps.Quiet(os);
        ScavengerTests.FreeTouched(heap, 1 << 20);

        Assert.Equal(0, heap.FreeOSMemory());
        HeapStats failed = heap.AssertConsistent();
        Assert.Equal(1 << 20, failed.IdleBytes);
        Assert.True(failed.ReleaseFailures >= 1);

        os.FailRelease = false;
        Assert.Equal(1 << 20, heap.FreeOSMemory());
        Assert.Equal(0, heap.AssertConsistent().IdleBytes);
    }

    [Fact]
    public void Release_FailsInScavengerCycle_CycleStopsAndHeapStaysConsistent()
    {
        var os = new TestOs { FailRelease = true };
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.Zero, os: os);
        ScavengerTests.FreeTouched(heap, 1 << 20);

        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(0, result.DecayBytes);
        Assert.True(result.Delay > TimeSpan.Zero, "a failing release backs off instead of spinning");
        Assert.Equal(1 << 20, heap.AssertConsistent().IdleBytes);

        os.FailRelease = false;
        Assert.Equal(1 << 20, heap.Core.RunScavengerCycle().DecayBytes);
    }

    [Fact]
    public void Release_FailsWhilePayingGrowthDebt_DebtIsForgivenAndPagesStayIdle()
    {
        var os = new TestOs();
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), os: os, arenaSize: 64 << 20);
        byte* a = (byte*)heap.Allocate(1 << 20);
        byte* guard = (byte*)heap.Allocate(1 << 20);
        new Span<byte>(a, 1 << 20).Fill(1);
        heap.Free(a);
        os.FailRelease = true;
        byte* b = (byte*)heap.Allocate(4 << 20); // fresh pages while 1 MiB sits idle: 1 MiB owed
        Assert.True(heap.Core.Pages.GrowthDebtPages > 0);

        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(0, result.GrowthBytes);
        Assert.Equal(0, heap.Core.Pages.GrowthDebtPages); // forgiven: retrying at once would spin
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(1 << 20, stats.IdleBytes);
        Assert.True(stats.ReleaseFailures >= 1);

        os.FailRelease = false;
        heap.Free(b);
        heap.Free(guard);
        Assert.Equal(6 << 20, heap.FreeOSMemory());
    }

    [Theory]
    [InlineData(64)]
    [InlineData(3 << 20)]
    public void Commit_Refused_ThrowsOutOfMemoryAndPagesStayReleased(int size)
    {
        var os = new TestOs(needsCommit: true) { FailCommit = true };
        using SpanHeap heap = Heaps.Quiet(os);

        Assert.Throws<OutOfMemoryException>(() => heap.Allocate((nuint)size));
        HeapStats failed = heap.AssertConsistent();
        Assert.Equal(0, failed.InUseBytes);
        Assert.Equal(failed.ReservedBytes, failed.ReleasedBytes);

        os.FailCommit = false;
        byte* p = (byte*)heap.AllocateZeroed((nuint)size);
        Assert.True(Pattern.IsZero(p, (nuint)size));
        Pattern.Fill(p, (nuint)size, 3);
        heap.Free(p);
        Assert.True(os.Commits >= 2);
        heap.AssertConsistent();
    }

    [Fact]
    public void ProtectReleasedPages_ReleasedRangeIsInaccessible_AndReuseWorks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var heap = new SpanHeap(new SpanHeapOptions { ScavengerEnabled = false, ProtectReleasedPages = true, ArenaSize = 4 << 20 });
        byte* p = (byte*)heap.Allocate(1 << 20);
        Pattern.Fill(p, 1 << 20, 11);
        heap.Free(p);
        Assert.True(heap.FreeOSMemory() >= 1 << 20);
        Assert.Equal("---p", MappingPermissions((nint)p));

        byte* q = (byte*)heap.AllocateZeroed(1 << 20);
        Assert.Equal("rw-p", MappingPermissions((nint)q));
        Assert.True(Pattern.IsZero(q, 1 << 20));
        Pattern.Fill(q, 1 << 20, 12);
        heap.Free(q);
        heap.AssertConsistent();
    }

    /// <summary>The permissions column of /proc/self/maps for the mapping containing <paramref name="address"/>.</summary>
    private static string MappingPermissions(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 3);
            string[] range = fields[0].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16), end = Convert.ToUInt64(range[1], 16);
            if ((ulong)address >= start && (ulong)address < end)
            {
                return fields[1];
            }
        }

        return "unmapped";
    }
}
