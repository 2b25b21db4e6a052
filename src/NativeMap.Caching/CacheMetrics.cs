using System.Diagnostics.Metrics;

namespace NativeMap.Caching;

/// <summary>
/// The <c>NativeMap.Caching</c> meter: every live <see cref="NativeDistributedCache"/>'s entries and bytes (gauges) and
/// its hits, misses, evictions and expirations (counters), each measurement tagged <c>cache</c> with the cache's name,
/// so <c>dotnet-counters monitor --counters NativeMap.Caching</c> shows them. The figures are read when a listener asks
/// (observable instruments): the cache paths pay nothing for them (the store counts hits and misses under the
/// shard lock it holds anyway).
/// </summary>
/// <remarks>One static meter, as the heap's (<c>NativeMap.Allocator</c>) is, rather than one per cache from an
/// <c>IMeterFactory</c>: two caches then never publish two instruments of one name, and a cache made without
/// dependency injection is observable too.</remarks>
internal static class CacheMetrics
{
    private static readonly Lock s_lock = new();
    // Weak: a cache the application dropped without disposing must stay collectable (its store's and heap's
    // finalizers then free its memory); dead references are pruned when the meter is read.
    private static readonly List<WeakReference<NativeDistributedCache>> s_caches = [];
    private static readonly Meter s_meter = new(NativeDistributedCache.MeterName);

    static CacheMetrics()
    {
        s_meter.CreateObservableGauge("nativemap.cache.entries", () => Observe(static s => s.EntryCount), "{entry}", "Entries stored.");
        s_meter.CreateObservableGauge("nativemap.cache.bytes", () => Observe(static s => s.SizeBytes), "By", "Bytes the entries occupy (keys, values, headers, slot overhead).");
        s_meter.CreateObservableCounter("nativemap.cache.hits", () => Observe(static s => s.Hits), "{read}", "Reads that found a live entry.");
        s_meter.CreateObservableCounter("nativemap.cache.misses", () => Observe(static s => s.Misses), "{read}", "Reads that found no live entry.");
        s_meter.CreateObservableCounter("nativemap.cache.evictions", () => Observe(static s => s.Evictions), "{entry}", "Entries evicted to stay within the size limit.");
        s_meter.CreateObservableCounter("nativemap.cache.expirations", () => Observe(static s => s.Expirations), "{entry}", "Expired entries reclaimed.");
    }

    public static void Register(NativeDistributedCache cache)
    {
        lock (s_lock)
        {
            s_caches.Add(new WeakReference<NativeDistributedCache>(cache));
        }
    }

    public static void Unregister(NativeDistributedCache cache)
    {
        lock (s_lock)
        {
            s_caches.RemoveAll(r => !r.TryGetTarget(out NativeDistributedCache? live) || live == cache);
        }
    }

    private static List<Measurement<long>> Observe(Func<NativeDistributedCacheStatistics, long> select)
    {
        var caches = new List<NativeDistributedCache>();
        lock (s_lock)
        {
            s_caches.RemoveAll(r => !r.TryGetTarget(out _));
            foreach (WeakReference<NativeDistributedCache> reference in s_caches)
            {
                if (reference.TryGetTarget(out NativeDistributedCache? cache))
                {
                    caches.Add(cache);
                }
            }
        }

        var measurements = new List<Measurement<long>>(caches.Count);
        foreach (NativeDistributedCache cache in caches)
        {
            if (cache.TryGetStatistics(out NativeDistributedCacheStatistics stats))
            {
                measurements.Add(new Measurement<long>(select(stats), new KeyValuePair<string, object?>("cache", cache.Name)));
            }
        }

        return measurements;
    }
}
