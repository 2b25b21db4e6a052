using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NativeMap.Allocator;

namespace NativeMap.Caching.Benchmarks.Scale;

/// <summary>
/// <c>scale [--quick] [--n 1000000,10000000] [--value 100,1000] [--ops N] [--decay S] [--out DIR]</c>: fills
/// <c>MemoryDistributedCache</c> and <see cref="NativeDistributedCache"/> with the same keys (16–40 ASCII characters)
/// and values, each in a child process of its own, one after the other, and measures side by side:
/// <list type="number">
/// <item>fill (Set into an empty cache), then Get and Set (overwrite) throughput with 1 and 2 threads, each pass over
/// <c>--ops</c> keys in a fixed random order (2 threads: each takes half);</item>
/// <item>the GC heap with the cache full (above the heap before the first entry) and the wall time of a forced gen2
/// collection (median of three);</item>
/// <item>a scattered delete: nine entries in ten removed (by key index, so scattered over the heap since the fill went
/// in random order), then RSS after the native cache's automatic compaction and the decay;</item>
/// <item>RSS: before, at the peak, right after removing every remaining entry, and after waiting the native heap's decay
/// (+5 s) for it to fall within 10 % of the baseline; then after an aggressive GC.</item>
/// </list>
/// <c>--quick</c> (what the test runs): 20,000 entries of 100 bytes, 1 s decay. Results: a markdown table on standard
/// output and <c>scale.md</c> / <c>scale.json</c> in <c>--out</c>.
/// </summary>
public static class ScaleProgram
{
    private const string ResultPrefix = "RESULT ";
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings.Child is { } cache)
        {
            ScaleResult result = Measure(cache, settings.Entries[0], settings.ValueBytes[0], settings.Ops, settings.Decay);
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            return 0;
        }

        var results = new List<ScaleResult>();
        foreach (int n in settings.Entries)
        {
            foreach (int value in settings.ValueBytes)
            {
                foreach (string name in new[] { "memory", "native" })
                {
                    Console.Error.WriteLine($"scale: {name}, {n:N0} entries of {value} B ...");
                    results.Add(RunChild(name, n, value, settings));
                }
            }
        }

        string table = Table(results);
        Console.WriteLine(table);
        if (settings.OutDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "scale.md"), table);
            File.WriteAllText(Path.Combine(directory, "scale.json"), JsonSerializer.Serialize(results, s_indented));
        }

        return 0;
    }

    private static ScaleResult RunChild(string cache, int n, int value, Settings settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ScaleProgram).Assembly.Location);
        }

        foreach (string arg in new[] { "scale", "--child", cache, "--n", $"{n}", "--value", $"{value}", "--ops", $"{settings.Ops}", "--decay", $"{settings.Decay.TotalSeconds}" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"child '{cache}' exited with {process.ExitCode}: {output}");
        }

        return JsonSerializer.Deserialize<ScaleResult>(line[ResultPrefix.Length..]) ?? throw new InvalidOperationException("empty result");
    }

    private static ScaleResult Measure(string cacheName, int n, int valueBytes, int ops, TimeSpan decay)
    {
        byte[] value = new byte[valueBytes];
        new Random(7).NextBytes(value);
        int[] order = Keys.Shuffled(n, seed: 11);
        ops = Math.Min(ops, n);

        // Warm up both code paths on a small cache of the same kind (tier-1 code before anything is timed).
        using (CacheDriver warm = CacheDriver.Create(cacheName, decay))
        {
            var scratch = new ArrayBufferWriter<byte>();
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 50_000; i++)
                {
                    string key = Keys.Get(n + i);
                    warm.Set(key, value);
                    warm.Get(key, scratch);
                }
            }

            for (int i = 0; i < 50_000; i++)
            {
                warm.Remove(Keys.Get(n + i));
            }
        }

        // Build every key once without a cache, on one thread and on two, so that the GC's young generation has grown
        // to what the passes will make of it before the baseline is read: the baseline is this process doing the same
        // work without a cache.
        Pass(order, 0, n, 1, static i => GC.KeepAlive(Keys.Get(i)));
        Pass(order, 0, n, 2, static i => GC.KeepAlive(Keys.Get(i)));
        FullCollect();
        long baselineHeap = GC.GetTotalMemory(forceFullCollection: true);
        long baselineRss = ProcessMemory.GetResidentBytes();
        long baselineGcCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;

        using CacheDriver cache = CacheDriver.Create(cacheName, decay);
        double fill = Pass(order, 0, n, 1, i => cache.Set(Keys.Get(i), value));
        double get1 = Pass(order, 0, ops, 1, (i, s) => cache.Get(Keys.Get(i), s));
        double get2 = Pass(order, 0, ops, 2, (i, s) => cache.Get(Keys.Get(i), s));
        double set1 = Pass(order, 0, ops, 1, i => cache.Set(Keys.Get(i), value));
        double set2 = Pass(order, 0, ops, 2, i => cache.Set(Keys.Get(i), value));
        if (!cache.Get(Keys.Get(order[^1]), new ArrayBufferWriter<byte>()))
        {
            throw new InvalidOperationException("the cache lost an entry");
        }

        FullCollect();
        long managedHeap = GC.GetTotalMemory(forceFullCollection: true) - baselineHeap;
        double[] pauses = new double[3];
        for (int i = 0; i < pauses.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            pauses[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(pauses);
        long nativeInUse = cache.HeapStats?.InUseBytes ?? 0;
        long peakRss = ProcessMemory.GetResidentBytes();

        // Scattered delete: nine keys in ten. The native cache compacts on its own (its writes and its background scan,
        // default settings); wait for that and the decay, or the same window for the managed cache.
        for (int i = 0; i < n; i++)
        {
            if (i % 10 != 0)
            {
                cache.Remove(Keys.Get(i));
            }
        }

        FullCollect();
        long managedAfterThin = GC.GetTotalMemory(forceFullCollection: true) - baselineHeap;
        long rssAfterThin = ProcessMemory.GetResidentBytes();
        // Up to twice the decay + 10 s: the last pages emptied by compaction go idle only when it ends, then decay.
        var thinClock = Stopwatch.StartNew();
        double secondsToPacked = -1;
        (long rssAfterThinWait, double thinWait) = WaitFor(2 * decay + TimeSpan.FromSeconds(10), () =>
        {
            if (secondsToPacked < 0 && cache.Fragmentation is { } f && f.SmallSpanBytes < 1.5 * f.SmallUsedBytes)
            {
                secondsToPacked = thinClock.Elapsed.TotalSeconds;
            }

            return secondsToPacked >= 0 && cache.HeapStats is { IdleBytes: 0 };
        });
        double spanRatio = cache.Fragmentation is { } thinned ? (double)thinned.SmallSpanBytes / Math.Max(1, thinned.SmallUsedBytes) : 0;

        for (int i = 0; i < n; i++)
        {
            cache.Remove(Keys.Get(order[i]));
        }

        FullCollect();
        long rssAfterRemove = ProcessMemory.GetResidentBytes();
        var clock = Stopwatch.StartNew();
        double secondsToBaseline = -1;
        (long rss, _) = WaitFor(decay + TimeSpan.FromSeconds(5), () =>
        {
            if (secondsToBaseline < 0 && ProcessMemory.GetResidentBytes() <= baselineRss * 1.1)
            {
                secondsToBaseline = clock.Elapsed.TotalSeconds;
            }

            // Done when RSS is back and the native heap (if any) has released its idle pages; else wait it out.
            return secondsToBaseline >= 0 && cache.HeapStats is not { IdleBytes: > 0 };
        });

        long gcCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;
        long nativeResident = cache.HeapStats is { } heap ? heap.InUseBytes + heap.IdleBytes : 0;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long rssAfterAggressive = ProcessMemory.GetResidentBytes();

        return new ScaleResult
        {
            Cache = cacheName,
            Entries = n,
            ValueBytes = valueBytes,
            FillMops = fill,
            Get1Mops = get1,
            Get2Mops = get2,
            Set1Mops = set1,
            Set2Mops = set2,
            ManagedHeapBytes = managedHeap,
            Gen2PauseMs = pauses[1],
            NativeInUseBytes = nativeInUse,
            BaselineRssBytes = baselineRss,
            BaselineGcCommittedBytes = baselineGcCommitted,
            PeakRssBytes = peakRss,
            RssAfterRemoveBytes = rssAfterRemove,
            RssAfterWaitBytes = rss,
            SecondsToBaseline = secondsToBaseline,
            GcCommittedAfterWaitBytes = gcCommitted,
            NativeResidentAfterWaitBytes = nativeResident,
            RssAfterAggressiveGcBytes = rssAfterAggressive,
            RssAfterThinBytes = rssAfterThin,
            RssAfterThinWaitBytes = rssAfterThinWait,
            SecondsThinWait = thinWait,
            SecondsToPacked = secondsToPacked,
            SpanRatioAfterThinWait = spanRatio,
            ManagedHeapAfterThinBytes = managedAfterThin,
        };
    }

    /// <summary>Polls every 100 ms until <paramref name="done"/> or <paramref name="limit"/>; returns the RSS then and
    /// the seconds waited.</summary>
    private static (long Rss, double Seconds) WaitFor(TimeSpan limit, Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !done())
        {
            Thread.Sleep(100);
        }

        return (ProcessMemory.GetResidentBytes(), clock.Elapsed.TotalSeconds);
    }

    private static void FullCollect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static double Pass(int[] order, int from, int count, int threads, Action<int> op) =>
        Pass(order, from, count, threads, (i, _) => op(i));

    /// <summary>Runs <paramref name="op"/> on <paramref name="count"/> keys in <paramref name="order"/>, split evenly
    /// over <paramref name="threads"/> threads released together; returns million operations per second.</summary>
    private static double Pass(int[] order, int from, int count, int threads, Action<int, ArrayBufferWriter<byte>> op)
    {
        using var barrier = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int first = from + (t * count / threads);
            int last = from + ((t + 1) * count / threads);
            workers[t] = new Thread(() =>
            {
                var scratch = new ArrayBufferWriter<byte>(4096);
                barrier.SignalAndWait();
                for (int i = first; i < last; i++)
                {
                    op(order[i], scratch);
                }
            });
            workers[t].Start();
        }

        barrier.SignalAndWait();
        long start = Stopwatch.GetTimestamp();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return count / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e6;
    }

    private static string Table(List<ScaleResult> results)
    {
        static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("N1", CultureInfo.InvariantCulture);
        static string Ratio(double ours, double theirs) => theirs > 0 ? (ours / theirs).ToString("N2", CultureInfo.InvariantCulture) : "-";

        var text = new StringBuilder();
        text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        text.AppendLine();
        text.AppendLine("| entries × value | cache | fill Mops/s | get 1T | get 2T | set 1T | set 2T | GC heap MiB | gen2 pause ms | native in use MiB | RSS base / peak / after remove / after wait MiB | s to baseline | GC committed base / after wait, native resident after wait MiB | RSS after aggressive GC MiB |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ScaleResult r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Entries:N0} × {r.ValueBytes} B | {r.Cache} | {r.FillMops:N2} | {r.Get1Mops:N2} | {r.Get2Mops:N2} | {r.Set1Mops:N2} | {r.Set2Mops:N2} | {Mib(r.ManagedHeapBytes)} | {r.Gen2PauseMs:N1} | {Mib(r.NativeInUseBytes)} | {Mib(r.BaselineRssBytes)} / {Mib(r.PeakRssBytes)} / {Mib(r.RssAfterRemoveBytes)} / {Mib(r.RssAfterWaitBytes)} | {(r.SecondsToBaseline < 0 ? "never" : r.SecondsToBaseline.ToString("N1", CultureInfo.InvariantCulture))} | {Mib(r.BaselineGcCommittedBytes)} / {Mib(r.GcCommittedAfterWaitBytes)}, {Mib(r.NativeResidentAfterWaitBytes)} | {Mib(r.RssAfterAggressiveGcBytes)} |"));
        }

        text.AppendLine();
        text.AppendLine("| entries × value | get 1T | get 2T | set 1T | set 2T | fill | GC heap (theirs / ours) | gen2 pause (theirs / ours) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var pair in results.GroupBy(r => (r.Entries, r.ValueBytes)))
        {
            ScaleResult? memory = pair.FirstOrDefault(r => r.Cache == "memory");
            ScaleResult? native = pair.FirstOrDefault(r => r.Cache == "native");
            if (memory is null || native is null)
            {
                continue;
            }

            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {pair.Key.Entries:N0} × {pair.Key.ValueBytes} B | {Ratio(native.Get1Mops, memory.Get1Mops)} | {Ratio(native.Get2Mops, memory.Get2Mops)} | {Ratio(native.Set1Mops, memory.Set1Mops)} | {Ratio(native.Set2Mops, memory.Set2Mops)} | {Ratio(native.FillMops, memory.FillMops)} | {Ratio(memory.ManagedHeapBytes, Math.Max(1, native.ManagedHeapBytes))} | {Ratio(memory.Gen2PauseMs, native.Gen2PauseMs)} |"));
        }

        text.AppendLine();
        text.AppendLine("Scattered delete (nine entries in ten removed, then a wait for compaction and the decay; the RSS growth is over the baseline, its share against the peak's):");
        text.AppendLine();
        text.AppendLine("| entries × value | cache | GC heap after MiB | RSS peak / after remove / after wait MiB | s waited | RSS growth after wait / at peak | native spans / bytes in use | s until packed (< 1.5) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (ScaleResult r in results)
        {
            long peakGrowth = r.PeakRssBytes - r.BaselineRssBytes;
            string share = peakGrowth < 1 << 20 ? "-" : ((double)(r.RssAfterThinWaitBytes - r.BaselineRssBytes) / peakGrowth).ToString("P0", CultureInfo.InvariantCulture);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Entries:N0} × {r.ValueBytes} B | {r.Cache} | {Mib(r.ManagedHeapAfterThinBytes)} | {Mib(r.PeakRssBytes)} / {Mib(r.RssAfterThinBytes)} / {Mib(r.RssAfterThinWaitBytes)} | {r.SecondsThinWait:N1} | {share} | {(r.SpanRatioAfterThinWait > 0 ? r.SpanRatioAfterThinWait.ToString("N2", CultureInfo.InvariantCulture) : "-")} | {(r.SecondsToPacked < 0 ? "-" : r.SecondsToPacked.ToString("N1", CultureInfo.InvariantCulture))} |"));
        }

        return text.ToString();
    }

    private sealed record Settings(int[] Entries, int[] ValueBytes, int Ops, TimeSpan Decay, string? OutDirectory, string? Child)
    {
        public static Settings Parse(string[] args)
        {
            var settings = new Settings([1_000_000], [100, 1000], 2_000_000, TimeSpan.FromSeconds(10), null, null);
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                static int[] Ints(string list) => list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                settings = args[i] switch
                {
                    "--quick" => settings with { Entries = [20_000], ValueBytes = [100], Ops = 20_000, Decay = TimeSpan.FromSeconds(1) },
                    "--n" => settings with { Entries = Ints(Next()) },
                    "--value" => settings with { ValueBytes = Ints(Next()) },
                    "--ops" => settings with { Ops = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--decay" => settings with { Decay = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--out" => settings with { OutDirectory = Next() },
                    "--child" => settings with { Child = Next() },
                    _ => throw new ArgumentException($"unknown argument {args[i]}"),
                };
            }

            return settings;
        }
    }
}
