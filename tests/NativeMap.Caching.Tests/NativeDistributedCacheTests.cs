using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using NativeMap.Allocator;
using NativeMap.Caching.Tests.Infrastructure;

namespace NativeMap.Caching.Tests;

/// <summary>What <see cref="NativeDistributedCache"/> does beyond the conformance suite: copies, disposal, the
/// expiration scan, statistics, and no allocation on the buffer paths.</summary>
public sealed class NativeDistributedCacheTests : IDisposable
{
    private static readonly DistributedCacheEntryOptions s_none = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly NativeDistributedCache _cache;

    public NativeDistributedCacheTests()
    {
        _cache = new NativeDistributedCache(new NativeDistributedCacheOptions { TimeProvider = _clock, ExpirationScanInterval = TimeSpan.FromSeconds(1) });
    }

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Values_AreCopiedInAndOut()
    {
        byte[] value = [1, 2, 3];
        _cache.Set("key", value, s_none);
        value[0] = 9;

        byte[]? read = _cache.Get("key");
        Assert.Equal([1, 2, 3], read);
        read![1] = 9;
        Assert.Equal([1, 2, 3], _cache.Get("key"));
    }

    [Fact]
    public void Dispose_ThenEveryCall_ThrowsObjectDisposed()
    {
        var cache = new NativeDistributedCache(new NativeDistributedCacheOptions { TimeProvider = _clock });
        cache.Set("key", [1], s_none);
        SpanHeap heap = cache.Heap;

        cache.Dispose();
        cache.Dispose();

        Assert.True(heap.IsDisposed);
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ObjectDisposedException>(() => cache.Get("key"));
        Assert.Throws<ObjectDisposedException>(() => cache.TryGet("key", writer));
        Assert.Throws<ObjectDisposedException>(() => cache.Set("key", [1], s_none));
        Assert.Throws<ObjectDisposedException>(() => cache.Set("key", new ReadOnlySequence<byte>([1]), s_none));
        Assert.Throws<ObjectDisposedException>(() => cache.Refresh("key"));
        Assert.Throws<ObjectDisposedException>(() => cache.Remove("key"));
        Assert.Throws<ObjectDisposedException>(() => cache.GetStatistics());
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void GivenHeap_IsUsedAndNotDisposed()
    {
        using var heap = new SpanHeap();
        var cache = new NativeDistributedCache(new NativeDistributedCacheOptions { Heap = heap, TimeProvider = _clock });
        cache.Set("key", new byte[1000], s_none);
        Assert.Same(heap, cache.Heap);
        Assert.True(heap.GetStats().InUseBytes > 0);

        cache.Dispose();

        Assert.False(heap.IsDisposed);
        Assert.Equal(0, heap.GetStats().LiveObjects);
    }

    [Fact]
    public void Statistics_CountHitsMissesEntriesAndBytes()
    {
        _cache.Set("a", new byte[100], s_none);
        _cache.Set("b", new byte[200], s_none);
        _cache.Get("a");
        _cache.TryGet("b", new ArrayBufferWriter<byte>());
        _cache.Get("c");
        _cache.Refresh("a");

        NativeDistributedCacheStatistics stats = _cache.GetStatistics();
        Assert.Equal(2, stats.EntryCount);
        Assert.Equal(3, stats.Hits); // Get, TryGet and Refresh
        Assert.Equal(1, stats.Misses);
        Assert.InRange(stats.SizeBytes, 300, _cache.Heap.GetStats().AllocatedBytes);

        _cache.Remove("a");
        _cache.Remove("b");
        Assert.Equal(0, _cache.GetStatistics().EntryCount);
        Assert.True(_cache.GetStatistics().SizeBytes <= stats.SizeBytes - 300, "the entries' blocks are freed (the shards' small tables stay)");
    }

    [Fact]
    public void ExpirationScan_ReclaimsExpiredEntriesWithoutReads()
    {
        for (int i = 0; i < 2000; i++)
        {
            _cache.Set($"k{i}", new byte[500], i % 2 == 0 ? new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5) } : s_none);
        }

        long inUseBefore = _cache.Heap.GetStats().AllocatedBytes;
        _clock.Advance(TimeSpan.FromSeconds(5));
        for (int i = 0; i < 10 && _cache.GetStatistics().EntryCount > 1000; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1)); // each tick runs one bounded scan
        }

        NativeDistributedCacheStatistics stats = _cache.GetStatistics();
        Assert.Equal(1000, stats.EntryCount);
        Assert.Equal(1000, stats.Expirations);
        Assert.True(_cache.Heap.GetStats().AllocatedBytes < inUseBefore);
        Assert.Equal(new byte[500], _cache.Get("k1"));
    }

    [Fact]
    public void SizeLimit_CountsEvictions()
    {
        long limit = SizeProbe.BytesFor(10, 4, 100);
        using var cache = new NativeDistributedCache(new NativeDistributedCacheOptions { TimeProvider = _clock, SizeLimit = limit, ShardCount = 1 });
        for (int i = 0; i < 15; i++)
        {
            cache.Set($"k{i:D3}", new byte[100], s_none);
        }

        NativeDistributedCacheStatistics stats = cache.GetStatistics();
        Assert.InRange(stats.EntryCount, 9, 10);
        Assert.Equal(15 - stats.EntryCount, stats.Evictions);
        Assert.True(stats.SizeBytes <= limit);
    }

    [Fact]
    public void BufferPaths_AllocateNothing()
    {
        byte[] value = new byte[1000];
        var sequence = new ReadOnlySequence<byte>(value);
        var writer = new ArrayBufferWriter<byte>(4096);
        var sliding = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) };
        string[] keys = Enumerable.Range(0, 256).Select(static i => $"user:{i:D6}:session").ToArray();
        string longKey = new('x', 2000);

        void Round()
        {
            foreach (string key in keys)
            {
                _cache.Set(key, sequence, sliding);
                writer.ResetWrittenCount();
                Assert.True(_cache.TryGet(key, writer));
                _cache.Refresh(key);
                Assert.True(Completed(_cache.TryGetAsync(key, writer)));
                Assert.True(Completed(_cache.SetAsync(key, sequence, s_none)));
            }

            _cache.Set(longKey, sequence, s_none);
            writer.ResetWrittenCount();
            _cache.TryGet(longKey, writer);
            foreach (string key in keys)
            {
                _cache.Remove(key);
            }
        }

        for (int i = 0; i < 50; i++)
        {
            Round(); // warm: JIT, pools, the store's tables at their size
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static bool Completed(ValueTask<bool> task) => task.IsCompletedSuccessfully && task.Result;

    private static bool Completed(ValueTask task) => task.IsCompletedSuccessfully;

    [Fact]
    public void Names_AreUniqueByDefault_AndGivenOnesKept()
    {
        using var named = new NativeDistributedCache(new NativeDistributedCacheOptions { Name = "sessions" });
        using var unnamed = new NativeDistributedCache();
        Assert.Equal("sessions", named.Name);
        Assert.NotEqual(_cache.Name, unnamed.Name);
        Assert.StartsWith("cache-", unnamed.Name, StringComparison.Ordinal);
    }
}
