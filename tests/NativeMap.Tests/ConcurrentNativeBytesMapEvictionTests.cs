using Microsoft.Extensions.Time.Testing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>Eviction under a memory limit, each policy, with a fake clock.</summary>
public sealed class ConcurrentNativeBytesMapEvictionTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _heap.Dispose();

    private ConcurrentNativeBytesMap NewStore(EvictionPolicy policy, long limit, int shards = 16, MemoryMeasure measure = MemoryMeasure.HeapBytes) =>
        new(new ConcurrentNativeBytesMapOptions
        {
            Heap = _heap,
            TimeProvider = _clock,
            ShardCount = shards,
            ActiveExpiryInterval = null,
            EvictionPolicy = policy,
            MemoryLimit = limit,
            MemoryMeasure = measure,
        });

    /// <summary>The bytes a store of <paramref name="entries"/> 100-byte values under 8-byte keys holds.</summary>
    private long Footprint(int entries, int shards = 16)
    {
        using ConcurrentNativeBytesMap probe = NewStore(EvictionPolicy.NoEviction, 0, shards);
        for (int i = 0; i < entries; i++)
        {
            probe.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
        }

        return probe.GetStatistics().UsedBytes;
    }

    [Fact]
    public void AllKeysLru_SmallStore_EvictsExactlyTheLeastRecentlyUsed()
    {
        // Ten entries of 8-byte keys and 100-byte values, counted as the user's bytes: the eleventh evicts exactly one.
        long limit = 10 * (8 + 100);
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.AllKeysLru, limit, measure: MemoryMeasure.KeyAndValueBytes);
        for (int i = 0; i < 10; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Read the even keys: the odd ones are now the least recently used, oldest first.
        for (int i = 0; i < 10; i += 2)
        {
            Assert.True(store.ContainsKey(Bytes.Of($"key{i:D5}")));
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        for (int i = 10; i < 15; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(i % 2 == 0 || i >= 10, store.ContainsKey(Bytes.Of($"key{i:D5}")));
        }

        Assert.Equal(5, store.GetStatistics().Evicted);
        Assert.True(store.UsedBytes <= limit);
        store.Validate();
    }

    [Fact]
    public void AllKeysLru_LargeStore_KeepsAHotSetUnderTheLimit()
    {
        long limit = Footprint(2000);
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.AllKeysLru, limit);
        var random = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
            _clock.Advance(TimeSpan.FromMilliseconds(1));

            // Keep keys 0-199 hot.
            store.ContainsKey(Bytes.Of($"key{random.Next(200):D5}"));
        }

        int hot = Enumerable.Range(0, 200).Count(i => store.ContainsKey(Bytes.Of($"key{i:D5}")));
        // Keys 0-199 are read once per 200 writes on average, so even exact LRU loses the few that go 1,650 writes
        // unread (about 1 in 40 over the run); sampled LRU with the pool loses 5-10 %, random eviction all of them.
        Assert.True(hot >= 170, $"only {hot} of 200 hot keys survived");
        Assert.InRange(store.Count, 1500, 2100);
        Assert.True(store.GetStatistics().UsedBytes <= limit * 17 / 16);
        store.Validate();
    }

    [Fact]
    public void AllKeysRandom_EvictsToTheLimit()
    {
        long limit = Footprint(500);
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.AllKeysRandom, limit);
        for (int i = 0; i < 5000; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
        }

        Assert.InRange(store.Count, 400, 520);
        Assert.True(store.GetStatistics().UsedBytes <= limit * 17 / 16);
        Assert.Equal(5000 - store.Count, store.GetStatistics().Evicted);
    }

    [Fact]
    public void VolatileTtl_EvictsTheNearestDeadlinesFirst_AndNeverKeysWithout()
    {
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.VolatileTtl, 10 * (8 + 100), measure: MemoryMeasure.KeyAndValueBytes);
        long now = store.UtcNowTicks;
        for (int i = 0; i < 10; i++)
        {
            // keys 0-4 persist; keys 5-9 expire later the higher their number
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100], i < 5 ? 0 : now + (i * TimeSpan.TicksPerHour));
        }

        for (int i = 10; i < 13; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
        }

        for (int i = 0; i < 13; i++)
        {
            Assert.Equal(i is not (5 or 6 or 7), store.ContainsKey(Bytes.Of($"key{i:D5}")));
        }

        // Only keys without deadlines are left to evict: nothing is evictable, the store goes over its limit.
        store.Set(Bytes.Of("key00098"), new byte[100], now + TimeSpan.TicksPerDay);
        for (int i = 100; i < 110; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
        }

        Assert.True(Enumerable.Range(0, 5).All(i => store.ContainsKey(Bytes.Of($"key{i:D5}"))));
        Assert.True(store.IsOverMemoryLimit);
        store.Validate();
    }

    [Fact]
    public void VolatileLruAndRandom_EvictOnlyKeysWithDeadlines()
    {
        foreach (EvictionPolicy policy in new[] { EvictionPolicy.VolatileLru, EvictionPolicy.VolatileRandom })
        {
            long limit = Footprint(100);
            using ConcurrentNativeBytesMap store = NewStore(policy, limit);
            long later = store.UtcNowTicks + TimeSpan.TicksPerHour;
            for (int i = 0; i < 300; i++)
            {
                store.Set(Bytes.Of($"key{i:D5}"), new byte[100], i % 2 == 0 ? later : 0);
            }

            for (int i = 1; i < 300; i += 2)
            {
                Assert.True(store.ContainsKey(Bytes.Of($"key{i:D5}")), $"{policy} evicted a key without a deadline");
            }

            Assert.True(store.GetStatistics().Evicted > 0);
        }
    }

    [Fact]
    public void NoEviction_GoesOverTheLimit_AndSaysSo()
    {
        long limit = Footprint(10);
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.NoEviction, limit);
        for (int i = 0; i < 20; i++)
        {
            store.Set(Bytes.Of($"key{i:D5}"), new byte[100]);
        }

        Assert.Equal(20, store.Count);
        Assert.True(store.IsOverMemoryLimit);
        Assert.Equal(0, store.Evict(1 << 20));

        // Raising the limit and changing the policy at run time (Redis's CONFIG SET).
        store.EvictionPolicy = EvictionPolicy.AllKeysLru;
        Assert.True(store.Evict(1) >= 1);
        store.MemoryLimit = 0;
        Assert.False(store.IsOverMemoryLimit);
    }

    [Fact]
    public void Set_LargerThanTheLimit_IsRefusedAndDropsThePreviousValue()
    {
        using ConcurrentNativeBytesMap store = NewStore(EvictionPolicy.AllKeysLru, 64 << 10);
        store.Set(Bytes.Of("small"), new byte[10]);
        store.Set(Bytes.Of("k"), new byte[10]);
        Assert.Equal(SetResult.TooLarge, store.Set(Bytes.Of("k"), new byte[100 << 10], 0));
        Assert.False(store.ContainsKey(Bytes.Of("k")));
        Assert.True(store.ContainsKey(Bytes.Of("small")));
        Assert.Equal(0, store.GetStatistics().Evicted);
    }
}
