
namespace NativeMap.CacheServer.Load;

/// <summary>
/// <c>dotnet run -c Release --project perf/NativeMap.CacheServer.Load -- &lt;throughput|memory|eviction|all&gt;
/// [--quick] [--out DIR]</c>: NativeMap.CacheServer against redis-server 7, each in a child process of its own, on the
/// same machine in the same run (see <see cref="LoadSettings.Usage"/>). Writes markdown tables, CSV timelines and the
/// RSS chart into the output directory. Run it under the exclusive CPU lock.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadSettings settings;
        try
        {
            settings = LoadSettings.Parse(args, Environment.CurrentDirectory);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            await Console.Error.WriteLineAsync(LoadSettings.Usage).ConfigureAwait(false);
            return 2;
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        TextWriter log = Console.Out;
        List<ServerKind> kinds = settings.RedisServer is null ? [ServerKind.NativeMap] : [ServerKind.NativeMap, ServerKind.Redis];
        log.WriteLine($"servers: {string.Join(", ", kinds)}{(settings.RedisServer is null ? " (redis-server not found: NativeMap only)" : "")}; " +
            $"output: {settings.OutputDirectory}{(settings.Quick ? "; --quick" : "")}");
        try
        {
            if (settings.Mode is "throughput" or "all")
            {
                log.WriteLine("throughput (redis-benchmark):");
                List<ThroughputExperiment.Figure> figures = await ThroughputExperiment.RunAsync(settings, kinds, log).ConfigureAwait(false);
                Report.WriteThroughput(settings, figures);
            }

            if (settings.Mode is "memory" or "all")
            {
                log.WriteLine($"memory: load {settings.Keys:N0} keys x {settings.ValueSize:N0} bytes, FLUSHALL:");
                var flushes = new List<MemoryExperiment.FlushFigures>();
                var timelines = new List<RssTimeline>();
                foreach (ServerKind kind in kinds)
                {
                    (MemoryExperiment.FlushFigures figures, RssTimeline timeline) = await MemoryExperiment.RunFlushAsync(kind, settings, log).ConfigureAwait(false);
                    flushes.Add(figures);
                    timelines.Add(timeline);
                }

                log.WriteLine($"memory: load, DEL 90 % scattered, wait {settings.AfterDelete.TotalSeconds:F0} s, FLUSHALL:");
                var deletes = new List<MemoryExperiment.DeleteFigures>();
                var deleteTimelines = new List<RssTimeline>();
                foreach (ServerKind kind in kinds)
                {
                    (MemoryExperiment.DeleteFigures figures, RssTimeline timeline) = await MemoryExperiment.RunDeleteAsync(kind, settings, log).ConfigureAwait(false);
                    deletes.Add(figures);
                    deleteTimelines.Add(timeline);
                }

                Report.WriteMemory(settings, flushes, deletes, timelines, deleteTimelines);
            }

            if (settings.Mode is "churn")
            {
                log.WriteLine("connection churn (connect, PING, close):");
                foreach (ServerKind kind in kinds)
                {
                    await ChurnExperiment.RunAsync(kind, settings, log).ConfigureAwait(false);
                }
            }

            if (settings.Mode is "eviction" or "all")
            {
                log.WriteLine($"eviction: maxmemory {settings.MaxMemory >> 20} MiB allkeys-lru, write {settings.EvictionBytes >> 20} MiB, Zipf GET:");
                var results = new List<EvictionExperiment.Figures>();
                var timelines = new List<RssTimeline>();
                foreach (ServerKind kind in kinds)
                {
                    (EvictionExperiment.Figures figures, RssTimeline timeline) = await EvictionExperiment.RunAsync(kind, settings, log).ConfigureAwait(false);
                    results.Add(figures);
                    timelines.Add(timeline);
                }

                Report.WriteEviction(settings, results, timelines);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        log.WriteLine($"results in {settings.OutputDirectory}");
        return 0;
    }
}
