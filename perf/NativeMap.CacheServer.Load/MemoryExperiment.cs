namespace NativeMap.CacheServer.Load;

/// <summary>
/// The memory runs, one server process at a time, RSS sampled every 100 ms:
/// <list type="bullet">
/// <item><b>flush</b>: load N keys × V bytes, idle 1 s, FLUSHALL, then watch (no command) until RSS is back within
/// 10 % of the loaded growth, up to decay + 7 s.</item>
/// <item><b>delete</b>: load, DEL every key whose index is not a multiple of 10, watch 30 s (RSS then is the figure),
/// FLUSHALL, watch decay + 4 s. This one is the chart.</item>
/// </list>
/// </summary>
public static class MemoryExperiment
{
    public sealed record FlushFigures(string Server, long BaselineBytes, long LoadedBytes, double? SecondsBack, long FinalBytes);

    public sealed record DeleteFigures(string Server, long BaselineBytes, long LoadedBytes, long AfterDeleteBytes, long LiveBytes, long Deleted);

    public static async Task<(FlushFigures Figures, RssTimeline Timeline)> RunFlushAsync(ServerKind kind, LoadSettings settings, TextWriter log)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(kind, settings).ConfigureAwait(false);
        var timeline = new RssTimeline(server, "baseline");
        await using (timeline.ConfigureAwait(false))
        {
            (long baseline, long loaded) = await BaselineAndLoadAsync(server, timeline, settings).ConfigureAwait(false);
            long target = baseline + ((loaded - baseline) / 10);
            timeline.Mark("FLUSHALL");
            string? reply = await LoadGenerator.CallAsync(server.Port, "FLUSHALL").ConfigureAwait(false);
            Check(reply == "OK", $"FLUSHALL replied {reply}");
            timeline.Mark("after FLUSHALL (no command)");
            double? back = await timeline.WatchAsync(settings.Decay + TimeSpan.FromSeconds(7), rss => rss <= target).ConfigureAwait(false);
            long final = timeline.Sample();
            log.WriteLine($"  {server.Name}: baseline {Mib(baseline)}, loaded {Mib(loaded)}, " +
                $"back within 10 % of the growth {(back is { } s ? $"{s:F1} s after FLUSHALL" : "not within the watch")}, final {Mib(final)}");
            return (new FlushFigures(server.Name, baseline, loaded, back, final), timeline);
        }
    }

    public static async Task<(DeleteFigures Figures, RssTimeline Timeline)> RunDeleteAsync(ServerKind kind, LoadSettings settings, TextWriter log)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(kind, settings).ConfigureAwait(false);
        var timeline = new RssTimeline(server, "baseline");
        await using (timeline.ConfigureAwait(false))
        {
            (long baseline, long loaded) = await BaselineAndLoadAsync(server, timeline, settings).ConfigureAwait(false);
            timeline.Mark("DEL 90 %");
            long deleted = await LoadGenerator.DeleteScatteredAsync(server.Port, settings.Keys, settings).ConfigureAwait(false);
            long expected = settings.Keys - ((settings.Keys + 9) / 10);
            Check(deleted == expected, $"DEL removed {deleted} keys, expected {expected}");
            timeline.Mark($"{settings.AfterDelete.TotalSeconds:F0} s after DEL");
            await timeline.WatchAsync(settings.AfterDelete).ConfigureAwait(false);
            long afterDelete = timeline.Sample();
            timeline.Mark("FLUSHALL");
            string? reply = await LoadGenerator.CallAsync(server.Port, "FLUSHALL").ConfigureAwait(false);
            Check(reply == "OK", $"FLUSHALL replied {reply}");
            timeline.Mark("after FLUSHALL");
            await timeline.WatchAsync(settings.Decay + TimeSpan.FromSeconds(4)).ConfigureAwait(false);
            long live = (settings.Keys - deleted) * (long)(Keys.KeyLength + settings.ValueSize);
            log.WriteLine($"  {server.Name}: baseline {Mib(baseline)}, loaded {Mib(loaded)}, " +
                $"{settings.AfterDelete.TotalSeconds:F0} s after DEL 90 % {Mib(afterDelete)} (growth {Mib(afterDelete - baseline)} for {Mib(live)} live)");
            return (new DeleteFigures(server.Name, baseline, loaded, afterDelete, live, deleted), timeline);
        }
    }

    /// <summary>Watches the idle server for a second (baseline: the lowest sample), loads the keys, idles a second.</summary>
    private static async Task<(long Baseline, long Loaded)> BaselineAndLoadAsync(ServerProcess server, RssTimeline timeline, LoadSettings settings)
    {
        await timeline.WatchAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        long baseline = timeline.Samples.Min(s => s.RssBytes);
        timeline.Mark("load");
        await LoadGenerator.LoadAsync(server.Port, settings.Keys, settings.ValueSize, settings).ConfigureAwait(false);
        timeline.Mark("idle");
        await timeline.WatchAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        return (baseline, timeline.Sample());
    }

    internal static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
