using Microsoft.Extensions.Time.Testing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>The store's compaction: an explicit pass over every shard, and the maintenance timer carrying passes on in
/// shards nobody writes any more. (The stress test runs compaction under concurrent readers and writers.)</summary>
public sealed class ConcurrentNativeBytesMapCompactionTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _heap.Dispose();

    private static void CheckAll(ConcurrentNativeBytesMap store, int count)
    {
        for (int i = 0; i < count; i += 10)
        {
            int expected = i;
            Assert.True(store.TryRead(Bytes.Of($"key-{i}"), ref expected, static (ReadOnlySpan<byte> value, ref int index) =>
            {
                Assert.Equal(300, value.Length);
                Assert.Equal(index, BitConverter.ToInt32(value));
            }));
        }
    }

    private static ConcurrentNativeBytesMap FillAndThin(ConcurrentNativeBytesMapOptions options, int count)
    {
        var store = new ConcurrentNativeBytesMap(options);
        byte[] value = new byte[300];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(value, i);
            store.Set(Bytes.Of($"key-{i}"), value);
        }

        for (int i = 0; i < count; i++)
        {
            if (i % 10 != 0)
            {
                store.Remove(Bytes.Of($"key-{i}"));
            }
        }

        return store;
    }

    [Fact]
    public void Compact_EveryShard_KeepsEveryEntry()
    {
        var options = new ConcurrentNativeBytesMapOptions { Heap = _heap, ShardCount = 8, ActiveExpiryInterval = null, Compaction = new CompactionOptions { Automatic = false } };
        using ConcurrentNativeBytesMap store = FillAndThin(options, 20_000);
        var mover = new CopyingMover(_heap);
        store.UseMover(mover);
        long moved = store.Compact();
        Assert.Equal(2000, mover.Moves);
        Assert.True(moved >= 2000 * 300);
        CheckAll(store, 20_000);
        store.Validate();
    }

    [Fact]
    public void MaintenanceTimer_CompactsShardsNobodyWrites()
    {
        var options = new ConcurrentNativeBytesMapOptions
        {
            Heap = _heap,
            ShardCount = 8,
            TimeProvider = _clock,
            ActiveExpiryInterval = TimeSpan.FromMilliseconds(100),
            Compaction = new CompactionOptions { TriggerRatio = 1.5, MinReclaimableBytes = 1 << 20, CheckInterval = 1 << 24 }, // writes never look
        };
        using ConcurrentNativeBytesMap store = FillAndThin(options, 40_000);
        var mover = new CopyingMover(_heap);
        store.UseMover(mover);
        Assert.Equal(0, mover.Moves);
        for (int tick = 0; tick < 200 && mover.Moves < 4000; tick++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(4000, mover.Moves);
        CheckAll(store, 40_000);
        store.Validate();
    }
}
