using System.Globalization;
using System.Text;

namespace NativeMap.CacheServer.Load;

/// <summary>Writes each run's figures as markdown (<c>*.md</c>), its RSS samples as CSV, and the chart.</summary>
public static class Report
{
    public const string ThroughputFile = "throughput.md";
    public const string MemoryFile = "memory.md";
    public const string EvictionFile = "eviction.md";
    public const string TimelineFile = "rss-timeline.csv";

    public static void WriteThroughput(LoadSettings settings, IReadOnlyList<ThroughputExperiment.Figure> figures)
    {
        var text = Header(settings, "redis-benchmark, requests per second (higher is better)");
        text.AppendLine($"`redis-benchmark -t set,get,mget,mset,incr -d 100 -n {settings.BenchmarkRequests} -c 50 -P 16 -r 1000000 -q` " +
            $"(and `-P 1 -n {settings.BenchmarkRequestsUnpipelined}`); MGET is `MGET key:__rand_int__` × 10 with the same options.");
        text.AppendLine();
        string[] servers = [.. figures.Select(f => f.Server).Distinct()];
        text.AppendLine($"| round | -P | test | {string.Join(" | ", servers)} | ratio |");
        text.AppendLine($"|---|---|---|{string.Concat(servers.Select(_ => "---:|"))}---:|");
        foreach (var group in figures.GroupBy(f => (f.Round, f.Pipeline, f.Test)))
        {
            double[] values = [.. servers.Select(s => group.FirstOrDefault(f => f.Server == s)?.RequestsPerSecond ?? double.NaN)];
            string ratio = values.Length == 2 ? (values[0] / values[1]).ToString("F2", CultureInfo.InvariantCulture) : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key.Round} | {group.Key.Pipeline} | {group.Key.Test} | {string.Join(" | ", values.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} | {ratio} |");
        }

        Write(settings, ThroughputFile, text);
    }

    public static void WriteMemory(LoadSettings settings, IReadOnlyList<MemoryExperiment.FlushFigures> flushes,
        IReadOnlyList<MemoryExperiment.DeleteFigures> deletes, IReadOnlyList<RssTimeline> flushTimelines, IReadOnlyList<RssTimeline> deleteTimelines)
    {
        var text = Header(settings, "memory: RSS of each server process (MiB)");
        text.AppendLine($"Load {settings.Keys:N0} keys × {settings.ValueSize:N0}-byte values, then FLUSHALL and no command. " +
            $"NativeMap.CacheServer's heap decay: {settings.Decay.TotalSeconds:F0} s; target: back within 10 % of the loaded growth within decay + 2 s.");
        text.AppendLine();
        text.AppendLine("| server | baseline | loaded | growth | back within 10 % of growth | final |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (MemoryExperiment.FlushFigures f in flushes)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Server} | {M(f.BaselineBytes)} | {M(f.LoadedBytes)} | {M(f.LoadedBytes - f.BaselineBytes)} | " +
                $"{(f.SecondsBack is { } s ? $"{s:F1} s" : "not within the watch")} | {M(f.FinalBytes)} |");
        }

        text.AppendLine();
        text.AppendLine($"Load the same, DEL every key whose index is not a multiple of 10, RSS {settings.AfterDelete.TotalSeconds:F0} s later. " +
            "Live bytes = remaining keys × (key + value bytes).");
        text.AppendLine();
        text.AppendLine("| server | baseline | loaded | after DEL 90 % | growth after DEL | live bytes | growth / live |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (MemoryExperiment.DeleteFigures d in deletes)
        {
            long growth = d.AfterDeleteBytes - d.BaselineBytes;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {d.Server} | {M(d.BaselineBytes)} | {M(d.LoadedBytes)} | {M(d.AfterDeleteBytes)} | {M(growth)} | {M(d.LiveBytes)} | {growth / (double)d.LiveBytes:F2}x |");
        }

        text.AppendLine();
        text.AppendLine($"![RSS over time]({RssChart.FileName})");
        Write(settings, MemoryFile, text);

        var csv = new StringBuilder("run,server,seconds,rss_mib,phase\n");
        foreach (RssTimeline t in flushTimelines)
        {
            t.AppendCsv(csv, "flush");
        }

        foreach (RssTimeline t in deleteTimelines)
        {
            t.AppendCsv(csv, "delete");
        }

        File.WriteAllText(Path.Combine(settings.OutputDirectory, TimelineFile), csv.ToString());
        RssChart.Write(Path.Combine(settings.OutputDirectory, RssChart.FileName), deleteTimelines,
            $"RSS of each server: load {settings.Keys:N0} keys x {settings.ValueSize:N0} B, DEL 90 % scattered, wait {settings.AfterDelete.TotalSeconds:F0} s, FLUSHALL" +
            $"{Environment.NewLine}NativeMap.CacheServer heap decay {settings.Decay.TotalSeconds:F0} s{(settings.Quick ? " (--quick)" : "")}");
    }

    public static void WriteEviction(LoadSettings settings, IReadOnlyList<EvictionExperiment.Figures> results, IReadOnlyList<RssTimeline> timelines)
    {
        var text = Header(settings, "eviction under maxmemory (allkeys-lru)");
        text.AppendLine($"`--maxmemory {settings.MaxMemory} --maxmemory-policy allkeys-lru`; write {settings.EvictionBytes >> 20} MiB of distinct " +
            $"{settings.ValueSize}-byte values; then {settings.ZipfOperations:N0} Zipf(s = {settings.ZipfExponent}) GETs over the same keys, " +
            "SET on a miss; hit rate over the second half. Target: peak RSS ≤ 1.15x maxmemory; hit rate within 5 points of redis-server's.");
        text.AppendLine();
        text.AppendLine("| server | peak RSS | peak / maxmemory | final RSS | keys held | evicted | Zipf hit rate |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (EvictionExperiment.Figures r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Server} | {M(r.PeakRssBytes)} | {r.PeakRssBytes / (double)r.MaxMemory:F2}x | {M(r.FinalRssBytes)} | {r.Keys:N0} | {r.EvictedKeys:N0} | {r.HitRate:P1} |");
        }

        Write(settings, EvictionFile, text);
        var csv = new StringBuilder("run,server,seconds,rss_mib,phase\n");
        foreach (RssTimeline t in timelines)
        {
            t.AppendCsv(csv, "eviction");
        }

        File.WriteAllText(Path.Combine(settings.OutputDirectory, "rss-eviction.csv"), csv.ToString());
    }

    private static StringBuilder Header(LoadSettings settings, string title)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {title}");
        text.AppendLine();
        text.AppendLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}{(settings.Quick ? ", --quick (small sizes: not the targets)" : "")}.");
        text.AppendLine();
        return text;
    }

    private static string M(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);

    private static void Write(LoadSettings settings, string file, StringBuilder text) =>
        File.WriteAllText(Path.Combine(settings.OutputDirectory, file), text.ToString());
}
