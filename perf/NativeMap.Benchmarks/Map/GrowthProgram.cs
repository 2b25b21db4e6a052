using System.Diagnostics;
using System.Globalization;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// The growth measurements BenchmarkDotNet cannot make: inserting 10 M random long keys into an empty map, (a) the
/// slowest batch of 4,096 inserts (Dictionary rehashes everything inside one Add; NativeMap evacuates incrementally), and
/// (b) peak memory while growing: resident set size above the process's baseline, and GC heap plus heap-in-use bytes.
/// Each variant and measurement runs in a child process of its own, so that one run's garbage, idle pages and JIT state
/// cannot colour the next.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project perf/NativeMap.Benchmarks -- growth [count]</c>. A child is started as
/// <c>growth --child latency|memory dictionary|nativemap count</c> and prints one line of key=value pairs.
/// </remarks>
public static class GrowthProgram
{
    private const int BatchSize = 4096;
    private const int DefaultCount = 10_000_000;

    public static int Run(string[] args)
    {
        if (args.Length >= 4 && args[0] == "--child")
        {
            int childCount = int.Parse(args[3], CultureInfo.InvariantCulture);
            Console.WriteLine(args[1] == "latency" ? Latency(args[2], childCount) : Memory(args[2], childCount));
            return 0;
        }

        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultCount;
        Console.WriteLine($"Growing to {count:N0} random long keys; batches of {BatchSize} inserts; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var results = new Dictionary<string, Dictionary<string, double>>();
        foreach (string mode in new[] { "latency", "memory" })
        {
            foreach (string variant in new[] { "dictionary", "nativemap" })
            {
                results[mode + "/" + variant] = RunChild(mode, variant, count);
            }
        }

        Dictionary<string, double> dl = results["latency/dictionary"], nl = results["latency/nativemap"];
        Dictionary<string, double> dm = results["memory/dictionary"], nm = results["memory/nativemap"];
        Console.WriteLine();
        Console.WriteLine("| measure | Dictionary | NativeMap | NativeMap / Dictionary |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Row("slowest batch of 4,096 inserts (ms)", dl["maxBatchMs"], nl["maxBatchMs"]);
        Row("99.9th percentile batch (ms)", dl["p999BatchMs"], nl["p999BatchMs"]);
        Row("median batch (ms)", dl["medianBatchMs"], nl["medianBatchMs"]);
        Row("total insert time (ms)", dl["totalMs"], nl["totalMs"]);
        Row("peak RSS above baseline (MiB)", dm["peakRssMiB"], nm["peakRssMiB"]);
        Row("peak GC heap + native in use (MiB)", dm["peakManagedPlusNativeMiB"], nm["peakManagedPlusNativeMiB"]);
        Row("final RSS above baseline (MiB)", dm["finalRssMiB"], nm["finalRssMiB"]);
        return 0;

        static void Row(string name, double dictionary, double map) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {dictionary:F2} | {map:F2} | {map / dictionary:F3} |"));
    }

    private static Dictionary<string, double> RunChild(string mode, string variant, int count)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(GrowthProgram).Assembly.Location); // started as "dotnet NativeMap.Benchmarks.dll"
        }

        start.ArgumentList.Add("growth");
        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(variant);
        start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Console.WriteLine($"{mode,-8} {variant,-11} {output.Trim()}");
        return output.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Times every batch of 4,096 inserts, in a second run after a first that brings the code to tier 1.</summary>
    private static string Latency(string variant, int count)
    {
        TimeBatches(variant, count);
        return TimeBatches(variant, count);
    }

    private static string TimeBatches(string variant, int count)
    {
        int batches = count / BatchSize;
        var times = new double[batches];
        ulong state = 0x9E3779B97F4A7C15;
        long begin = Stopwatch.GetTimestamp();
        if (variant == "dictionary")
        {
            var dictionary = new Dictionary<long, long>();
            for (int b = 0; b < batches; b++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < BatchSize; i++)
                {
                    long key = (long)SplitMix(ref state);
                    dictionary[key] = key;
                }

                times[b] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            GC.KeepAlive(dictionary);
        }
        else
        {
            using var heap = new SpanHeap();
            using var map = new NativeMap<long, long>(0, heap);
            for (int b = 0; b < batches; b++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < BatchSize; i++)
                {
                    long key = (long)SplitMix(ref state);
                    map[key] = key;
                }

                times[b] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }

        double total = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        double[] sorted = times.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"maxBatchMs={sorted[^1]:F3} p999BatchMs={sorted[(int)(sorted.Length * 0.999)]:F3} medianBatchMs={sorted[sorted.Length / 2]:F4} totalMs={total:F1}");
    }

    /// <summary>Samples memory after every batch of 4,096 inserts.</summary>
    private static string Memory(string variant, int count)
    {
        int batches = count / BatchSize;
        ulong state = 0x9E3779B97F4A7C15;
        GC.Collect();
        long baseline = ProcessMemory.GetResidentBytes();
        long baseManaged = GC.GetTotalMemory(forceFullCollection: false);
        long peakRss = 0;
        long peakTotal = 0;
        long finalRss;
        if (variant == "dictionary")
        {
            var dictionary = new Dictionary<long, long>();
            for (int b = 0; b < batches; b++)
            {
                for (int i = 0; i < BatchSize; i++)
                {
                    long key = (long)SplitMix(ref state);
                    dictionary[key] = key;
                }

                peakRss = Math.Max(peakRss, ProcessMemory.GetResidentBytes() - baseline);
                peakTotal = Math.Max(peakTotal, GC.GetTotalMemory(forceFullCollection: false) - baseManaged);
            }

            finalRss = ProcessMemory.GetResidentBytes() - baseline;
            GC.KeepAlive(dictionary);
        }
        else
        {
            using var heap = new SpanHeap();
            using var map = new NativeMap<long, long>(0, heap);
            for (int b = 0; b < batches; b++)
            {
                for (int i = 0; i < BatchSize; i++)
                {
                    long key = (long)SplitMix(ref state);
                    map[key] = key;
                }

                peakRss = Math.Max(peakRss, ProcessMemory.GetResidentBytes() - baseline);
                peakTotal = Math.Max(peakTotal, GC.GetTotalMemory(forceFullCollection: false) - baseManaged + heap.GetStats().InUseBytes);
            }

            finalRss = ProcessMemory.GetResidentBytes() - baseline;
        }

        const double MiB = 1 << 20;
        return string.Create(CultureInfo.InvariantCulture,
            $"peakRssMiB={peakRss / MiB:F1} peakManagedPlusNativeMiB={peakTotal / MiB:F1} finalRssMiB={finalRss / MiB:F1}");
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
