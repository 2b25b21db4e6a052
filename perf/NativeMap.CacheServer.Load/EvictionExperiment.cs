namespace NativeMap.CacheServer.Load;

/// <summary>
/// Both servers under the same <c>--maxmemory</c> with <c>allkeys-lru</c>: write distinct keys until
/// <see cref="LoadSettings.EvictionBytes"/> of values have gone in (RSS sampled throughout: its peak is the figure),
/// then a Zipf cache-aside load over the same key space (GET; on a miss, SET) whose hit rate, measured over the second
/// half, shows how well each server's approximated LRU keeps the popular keys.
/// </summary>
public static class EvictionExperiment
{
    public sealed record Figures(string Server, long MaxMemory, long PeakRssBytes, long FinalRssBytes, long Keys, double HitRate, long EvictedKeys);

    public static async Task<(Figures Figures, RssTimeline Timeline)> RunAsync(ServerKind kind, LoadSettings settings, TextWriter log)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(kind, settings, settings.MaxMemory, "allkeys-lru").ConfigureAwait(false);
        var timeline = new RssTimeline(server, "baseline");
        await using (timeline.ConfigureAwait(false))
        {
            await timeline.WatchAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            int keyCount = (int)(settings.EvictionBytes / settings.ValueSize);
            timeline.Mark("write distinct keys");
            await LoadGenerator.LoadAsync(server.Port, keyCount, settings.ValueSize, settings).ConfigureAwait(false);
            timeline.Mark("Zipf GET, SET on miss");
            (long hits, long misses) = await Task.Run(() =>
                LoadGenerator.ZipfCacheAside(server.Port, keyCount, settings.ZipfOperations, settings.ValueSize, settings)).ConfigureAwait(false);
            long final = timeline.Sample();
            long peak = timeline.Samples.Max(s => s.RssBytes);
            long dbsize = long.Parse(await LoadGenerator.CallAsync(server.Port, "DBSIZE").ConfigureAwait(false) ?? "0",
                System.Globalization.CultureInfo.InvariantCulture);
            long evicted = long.Parse(await LoadGenerator.InfoFieldAsync(server.Port, "evicted_keys").ConfigureAwait(false) ?? "0",
                System.Globalization.CultureInfo.InvariantCulture);
            double hitRate = hits / (double)(hits + misses);
            log.WriteLine($"  {server.Name}: peak RSS {MemoryExperiment.Mib(peak)} ({peak / (double)settings.MaxMemory:F2}x maxmemory), " +
                $"{dbsize:N0} keys held, {evicted:N0} evicted, Zipf hit rate {hitRate:P1}");
            return (new Figures(server.Name, settings.MaxMemory, peak, final, dbsize, hitRate, evicted), timeline);
        }
    }
}
