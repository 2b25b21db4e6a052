using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>Deadlines, lazy and active expiry, with a fake clock.</summary>
public sealed class ConcurrentNativeBytesMapExpiryTests : IDisposable
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _heap.Dispose();

    private ConcurrentNativeBytesMap NewStore(TimeSpan? interval = null, int shards = 4) =>
        new(new ConcurrentNativeBytesMapOptions { Heap = _heap, TimeProvider = _clock, ShardCount = shards, ActiveExpiryInterval = interval });

    private long In(TimeSpan delay) => _clock.GetUtcNow().UtcTicks + delay.Ticks;

    [Fact]
    public void LazyExpiry_AnExpiredEntryIsNeverReturnedAndIsRemovedOnAccess()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        store.Set(Bytes.Of("k"), Bytes.Of("v"), In(Second));
        store.Set(Bytes.Of("forever"), Bytes.Of("v"));
        Assert.True(store.ContainsKey(Bytes.Of("k")));
        Assert.Equal(1, store.VolatileCount);
        _clock.Advance(Second - TimeSpan.FromTicks(1));
        Assert.True(store.ContainsKey(Bytes.Of("k")));
        _clock.Advance(TimeSpan.FromTicks(1)); // deadline == now: expired (MemoryCache's rule)
        Assert.Equal(2, store.Count); // not removed until touched
        var writer = new ArrayBufferWriter<byte>();
        Assert.False(store.TryGetValue(Bytes.Of("k"), writer));
        Assert.Equal(0, writer.WrittenCount);
        Assert.Equal(1, store.Count);
        Assert.Equal(0, store.VolatileCount);
        StoreStatistics stats = store.GetStatistics();
        Assert.Equal(1, stats.Expired);
        Assert.Equal(1, stats.Misses);
        store.Validate();
    }

    [Fact]
    public void EveryReadPath_TreatsExpiredAsAbsent()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        byte[] key = Bytes.Of("k");
        void Arm()
        {
            store.Set(key, Bytes.Of("v"), In(Second));
            _clock.Advance(Second);
        }

        int state = 0;
        Arm();
        Assert.False(store.TryGetLength(key, out _));
        Arm();
        Assert.False(store.TryCopyValue(key, new byte[8], out _));
        Arm();
        Assert.False(store.TryRead(key, ref state, static (ReadOnlySpan<byte> v, ref int s) => s++));
        Arm();
        Assert.False(store.TryGetDeadline(key, out _));
        Arm();
        Assert.False(store.Remove(key));
        Arm();
        Assert.Equal(SetResult.Stored, store.Set(key, Bytes.Of("new"), 0, SetCondition.IfAbsent));
        Arm();
        Assert.Equal(1, store.Append(key, Bytes.Of("x")));
        Arm();
        Assert.Equal(IncrementResult.Done, store.Increment(key, 5, out long value));
        Assert.Equal(5, value);
        Arm();
        Assert.False(store.SetDeadline(key, In(Second)));
        Arm();
        Assert.Equal(0, CountScanned(store));
        Assert.Equal(0, state);
    }

    private static int CountScanned(ConcurrentNativeBytesMap store)
    {
        int count = 0;
        ulong cursor = 0;
        do
        {
            cursor = store.Scan(cursor, 100, ref count, static (ReadOnlySpan<byte> k, ref int c) => c++);
        }
        while (cursor != 0);
        return count;
    }

    [Fact]
    public void SetDeadline_ConditionsAndPersist_FollowRedis()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        byte[] key = Bytes.Of("k");
        Assert.False(store.SetDeadline(key, In(Second)));
        store.Set(key, Bytes.Of("v"));
        Assert.True(store.TryGetDeadline(key, out long deadline));
        Assert.Equal(0, deadline);
        Assert.False(store.Persist(key));
        Assert.False(store.SetDeadline(key, In(Second), ExpireCondition.IfAny));
        Assert.False(store.SetDeadline(key, In(Second), ExpireCondition.IfLater)); // no deadline counts as infinite
        Assert.True(store.SetDeadline(key, In(10 * Second), ExpireCondition.IfEarlier));
        Assert.False(store.SetDeadline(key, In(Second), ExpireCondition.IfNone));
        Assert.False(store.SetDeadline(key, In(Second), ExpireCondition.IfLater));
        Assert.True(store.SetDeadline(key, In(20 * Second), ExpireCondition.IfLater));
        Assert.True(store.TryGetDeadline(key, out deadline));
        Assert.Equal(In(20 * Second), deadline);
        Assert.True(store.Persist(key));
        Assert.True(store.TryGetDeadline(key, out deadline));
        Assert.Equal(0, deadline);
        Assert.Equal(0, store.VolatileCount);

        // A cleared deadline keeps its field: setting one again works in place.
        Assert.True(store.SetDeadline(key, In(Second)));
        Assert.Equal(1, store.VolatileCount);

        // A deadline in the past deletes the key, as Redis's EXPIRE does.
        Assert.True(store.SetDeadline(key, In(-Second)));
        Assert.False(store.ContainsKey(key));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.SetDeadline(key, 0));
        store.Validate();
    }

    [Fact]
    public void Set_PastDeadline_RemovesThePreviousValue_KeepDeadlineKeepsIt()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        byte[] key = Bytes.Of("k");
        store.Set(key, Bytes.Of("v"));
        Assert.Equal(SetResult.Expired, store.Set(key, Bytes.Of("w"), In(-Second)));
        Assert.False(store.ContainsKey(key));
        Assert.Equal(SetResult.Expired, store.Set(key, Bytes.Of("w"), In(TimeSpan.Zero)));
        Assert.False(store.ContainsKey(key));

        store.Set(key, Bytes.Of("v"), In(Second));
        Assert.Equal(SetResult.Stored, store.Set(key, Bytes.Of("w"), 0, SetCondition.Always, keepDeadline: true));
        Assert.True(store.TryGetDeadline(key, out long deadline));
        Assert.Equal(In(Second), deadline);
        store.Set(key, Bytes.Of("plain")); // a plain SET drops the deadline
        Assert.True(store.TryGetDeadline(key, out deadline));
        Assert.Equal(0, deadline);
        store.Validate();
    }

    [Fact]
    public void RemoveExpired_RemovesOnlyExpiredEntries_AndSamplesOnlyEntriesWithDeadlines()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        for (int i = 0; i < 2000; i++)
        {
            long deadline = i % 4 == 0 ? In(Second) : i % 4 == 1 ? In(100 * Second) : 0;
            store.Set(Bytes.Of($"k{i}"), Bytes.Of("value"), deadline);
        }

        Assert.Equal(1000, store.VolatileCount);
        _clock.Advance(2 * Second);
        int removed = 0;
        for (int cycle = 0; cycle < 100 && store.Count > 1500; cycle++)
        {
            ExpiryCycleResult result = store.RemoveExpired(20, TimeSpan.FromSeconds(10));
            Assert.True(result.Sampled >= result.Expired);
            removed += result.Expired;
        }

        Assert.Equal(500, removed);
        Assert.Equal(1500, store.Count);
        Assert.Equal(500, store.VolatileCount);
        Assert.Equal(500, store.GetStatistics().Expired);
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(i % 4 != 0, store.ContainsKey(Bytes.Of($"k{i}")));
        }

        // With nothing expired, a cycle samples and stops: one sample per shard with deadlines.
        ExpiryCycleResult idle = store.RemoveExpired(20, TimeSpan.FromSeconds(10));
        Assert.Equal(0, idle.Expired);
        Assert.InRange(idle.Sampled, 1, 4 * 20);
        store.Validate();
    }

    [Fact]
    public void RemoveExpired_ValidatesItsArguments()
    {
        using ConcurrentNativeBytesMap store = NewStore();
        Assert.Throws<ArgumentOutOfRangeException>(() => store.RemoveExpired(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.RemoveExpired(257));
        Assert.Equal(new ExpiryCycleResult(0, 0, false), store.RemoveExpired());
    }

    [Fact]
    public void BackgroundCycle_RunsOnTheStoresClock()
    {
        using ConcurrentNativeBytesMap store = NewStore(TimeSpan.FromMilliseconds(100));
        for (int i = 0; i < 200; i++)
        {
            store.Set(Bytes.Of($"k{i}"), Bytes.Of("v"), In(Second));
        }

        _clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(200, store.Count);
        for (int tick = 0; tick < 50 && store.Count > 0; tick++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(0, store.Count);
        Assert.Equal(200, store.GetStatistics().Expired);
    }
}
