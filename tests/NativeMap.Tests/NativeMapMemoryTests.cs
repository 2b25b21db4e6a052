using System.Runtime.CompilerServices;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

public sealed class NativeMapMemoryTests
{
    private readonly ITestOutputHelper _output;

    public NativeMapMemoryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void SteadyState_LookupsAndOverwrites_AllocateNothingOnGcHeap()
    {
        const int Count = 1_000_000;
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        var random = new Random(TestSeed.Next(_output));
        long[] keys = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            keys[i] = random.NextInt64();
            map[keys[i]] = i;
        }

        map.EvacuateAll();
        RunSteadyState(map, keys); // warm up: tier-up and first-call paths
        long before = GC.GetAllocatedBytesForCurrentThread();
        long checksum = RunSteadyState(map, keys);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotEqual(0, checksum);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RemoveAll_TwoMillionEntries_LeavesAtMostFivePercentOfPeakInUse()
    {
        const int Count = 2_000_000;
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        var random = new Random(TestSeed.Next(_output));
        long[] keys = new long[Count];
        long peak = 0;
        for (int i = 0; i < Count; i++)
        {
            keys[i] = random.NextInt64();
            map[keys[i]] = i;
            if ((i & 0xFFFF) == 0)
            {
                peak = Math.Max(peak, heap.GetStats().InUseBytes);
            }
        }

        peak = Math.Max(peak, heap.GetStats().InUseBytes);
        random.Shuffle(keys);
        foreach (long key in keys)
        {
            map.Remove(key);
        }

        heap.FreeOSMemory();
        long inUse = heap.GetStats().InUseBytes;
        _output.WriteLine($"peak in use {peak:N0} B, after removing all {inUse:N0} B ({100.0 * inUse / peak:F3} %)");
        Assert.Empty(map);
        Assert.True(inUse <= peak / 20, $"{inUse} bytes still in use of a {peak}-byte peak");
        map.Validate();
        GC.KeepAlive(map);
    }

    [Fact]
    public void Shrink_AfterMostRemoved_ReturnsOldArrayToHeap()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 200_000; k++)
        {
            map.Add(k, k);
        }

        map.EvacuateAll();
        long full = heap.GetStats().AllocatedBytes;
        int fullShift = map.BucketShift;
        for (long k = 0; k < 190_000; k++)
        {
            map.Remove(k);
        }

        long after = heap.GetStats().AllocatedBytes;
        _output.WriteLine($"B {fullShift} -> {map.BucketShift}; allocated {full:N0} -> {after:N0} B");
        Assert.True(map.BucketShift <= fullShift - 3, $"B went from {fullShift} to {map.BucketShift}");
        Assert.True(after < full / 4);
        map.Validate();
    }

    [Fact]
    public void Finalizer_MapNeverDisposed_ReturnsMemoryToHeap()
    {
        using var heap = new SpanHeap();
        FillAndAbandon(heap, 100_000);
        Assert.True(heap.GetStats().LiveObjects > 0);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(0, heap.GetStats().LiveObjects);
        heap.Validate();
    }

    [Fact]
    public void Finalizer_HeapDisposedFirst_DoesNotThrow()
    {
        var heap = new SpanHeap();
        FillAndAbandon(heap, 10_000);
        heap.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers(); // a throwing finalizer would end the test process
        GC.Collect();
        Assert.True(heap.IsDisposed);
    }

    [Fact]
    public void Dispose_ReturnsEveryBlock()
    {
        using var heap = new SpanHeap();
        var map = new NativeMap<Guid, Payload40>(0, heap);
        for (int i = 0; i < 50_000; i++)
        {
            map[Guid.NewGuid()] = Payload40.From(i);
        }

        Assert.True(heap.GetStats().LiveObjects > 1);
        map.Dispose();
        Assert.Equal(0, heap.GetStats().LiveObjects);
        heap.Validate();
    }

    [Fact]
    public void RemoveLastEntry_CutsBackToFloorAndRedrawsSeed()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 1000; k++)
        {
            map.Add(k, k);
        }

        HashSeed seed = map.Seed;
        for (long k = 0; k < 1000; k++)
        {
            map.Remove(k);
        }

        Assert.NotEqual(seed, map.Seed);
        Assert.Equal(0, map.BucketShift);
        Assert.True(heap.GetStats().LiveObjects <= 1);
        seed = map.Seed;
        map.Add(1, 1);
        map.Clear();
        Assert.NotEqual(seed, map.Seed);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FillAndAbandon(SpanHeap heap, int count)
    {
        var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < count; k++)
        {
            map.Add(k, k);
        }
    }

    private static long RunSteadyState(NativeMap<long, long> map, long[] keys)
    {
        long checksum = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (map.TryGetValue(keys[i], out long value))
            {
                checksum += value;
            }

            checksum += map.ContainsKey(~keys[i]) ? 1 : 0;
            map[keys[i]] = value + 1;
        }

        return checksum;
    }
}
