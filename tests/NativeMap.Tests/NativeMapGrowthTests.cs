namespace NativeMap.Tests;

public sealed class NativeMapGrowthTests
{
    [Fact]
    public void Growth_IsIncremental_FinishesWithinOldBucketCountWrites()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        long k = 0;
        for (int growths = 0; growths < 8;)
        {
            map.Add(k, k);
            k++;
            if (map.IsEvacuating)
            {
                growths++;
                int oldBuckets = 1 << (map.BucketShift - 1);
                int writes = 0;
                while (map.IsEvacuating)
                {
                    map.Add(k, k);
                    k++;
                    writes++;
                }

                Assert.True(writes <= oldBuckets, $"growth to B={map.BucketShift} took {writes} writes for {oldBuckets} old buckets");
                map.Validate();
            }
        }
    }

    [Fact]
    public void Growth_LoadFactor_IsThirteenHalves()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 8; k++)
        {
            map.Add(k, k);
        }

        Assert.Equal(0, map.BucketShift);
        map.Add(8, 8);
        Assert.Equal(1, map.BucketShift); // 9 > 8 entries in one bucket
        for (long k = 9; k < 13 * 4 / 2; k++)
        {
            map.Add(k, k);
        }

        Assert.Equal(2, map.BucketShift); // 26 = 6.5 * 4: not over the load yet
        map.Add(100, 100);
        Assert.Equal(3, map.BucketShift);
    }

    [Fact]
    public void Shrink_InsertDeleteNearThreshold_DoesNotThrash()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 100_000; k++)
        {
            map.Add(k, k);
        }

        long next = 0;
        while (!map.IsShrinking)
        {
            map.Remove(next++);
        }

        while (map.IsShrinking)
        {
            map[next] = 0; // overwrites advance the shrink
        }

        int resizes = map.ResizeCount;
        int shift = map.BucketShift;

        // Alternate at the count where the shrink started: neither a regrowth nor a new shrink.
        for (int i = 0; i < 100_000; i++)
        {
            map.Add(-1 - i, 0);
            map.Remove(-1 - i);
            map.Remove(next);
            map.Add(next, 0);
        }

        Assert.Equal(resizes, map.ResizeCount);
        Assert.Equal(shift, map.BucketShift);
        map.Validate();
    }

    [Fact]
    public void Growth_DeleteInsertNearThreshold_DoesNotThrash()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        long k = 0;
        while (map.BucketShift < 12 || map.IsEvacuating)
        {
            map.Add(k, k);
            k++;
        }

        int resizes = map.ResizeCount;
        for (int i = 0; i < 50_000; i++)
        {
            map.Remove(k - 1);
            map.Add(k - 1, 0);
        }

        Assert.Equal(resizes, map.ResizeCount);
    }

    [Fact]
    public void SameSizeGrowth_OverflowPilesUp_CompactsWithoutChangingSize()
    {
        // Hash codes chosen by key % 1000: each round fills one bucket's chain with 400 entries (50 buckets) and empties
        // the previous round's chain, whose overflow buckets stay behind. Overflow buckets soon reach 2^B and an insert
        // starts a same-size growth, whose evacuation drops the empty overflow buckets.
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(800, new Infrastructure.CollidingComparer(1000), heap);
        for (long i = 0; i < 400; i++)
        {
            map.Add(i * 1000, i);
        }

        map.EvacuateAll();
        int shift = map.BucketShift;
        int resizes = map.ResizeCount;
        for (long round = 1; round < 8; round++)
        {
            for (long i = 0; i < 400; i++)
            {
                map.Add(round + (i * 1000), i);
            }

            for (long i = 0; i < 400; i++)
            {
                Assert.True(map.Remove(round - 1 + (i * 1000)));
            }

            map.Validate();
        }

        map.EvacuateAll();
        Assert.True(map.ResizeCount > resizes, "expected a same-size growth");
        Assert.Equal(shift, map.BucketShift);
        Assert.True(map.GetChainStatistics().OverflowBuckets < 1 << shift, map.GetChainStatistics().ToString());
        Assert.Equal(400, map.Count);
        map.Validate();
    }
}
