using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace NativeMap.Caching.Tests;

/// <summary>The <c>NativeMap.Caching</c> meter reports each cache under its own <c>cache</c> tag.</summary>
public sealed class MetricsTests
{
    private static long Last(MetricCollector<long> collector, string cacheName)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Last(m => (string?)m.Tags["cache"] == cacheName).Value;
    }

    [Fact]
    public void Meter_PublishesEntriesBytesHitsMissesEvictionsAndExpirations()
    {
        string name = $"metrics-{Guid.NewGuid():N}";
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        long limit = NativeMap.Caching.Tests.Infrastructure.SizeProbe.BytesFor(3, 2, 10);
        using var cache = new NativeDistributedCache(new NativeDistributedCacheOptions
        {
            Name = name, TimeProvider = clock, SizeLimit = limit, ShardCount = 1, EvictionSamples = NativeDistributedCacheOptions.MaxEvictionSamples,
        });
        using var entries = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.entries");
        using var bytes = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.bytes");
        using var hits = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.hits");
        using var misses = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.misses");
        using var evictions = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.evictions");
        using var expirations = new MetricCollector<long>(null, NativeDistributedCache.MeterName, "nativemap.cache.expirations");

        for (int i = 1; i <= 5; i++)
        {
            cache.Set($"k{i}", new byte[10], new DistributedCacheEntryOptions());
            clock.Advance(TimeSpan.FromSeconds(1)); // the LRU clock counts milliseconds: distinct access times
        }

        cache.Get("k5");
        cache.Get("k4");
        cache.Get("zz");

        Assert.Equal(3, Last(entries, name));
        Assert.Equal(cache.GetStatistics().SizeBytes, Last(bytes, name));
        Assert.True(Last(bytes, name) <= limit);
        Assert.Equal(2, Last(hits, name));
        Assert.Equal(1, Last(misses, name));
        Assert.Equal(cache.GetStatistics().Evictions, Last(evictions, name));
        Assert.InRange(Last(evictions, name), 2, 3);

        cache.Set("k9", new byte[10], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1) });
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(cache.Get("k9"));
        Assert.True(Last(expirations, name) >= 1);
    }
}
