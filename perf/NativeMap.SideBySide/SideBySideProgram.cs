using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace NativeMap.SideBySide;

/// <summary>
/// Dictionary&lt;ulong,ulong&gt; and NativeMap&lt;ulong,ulong&gt; side by side in one process, on the same random keys, the
/// way a user who swaps one for the other would see them: insert from empty (no capacity hint), hit in insertion order,
/// hit shuffled, miss, delete, the slowest batch of 4,096 inserts. Best of several runs (default two), the two maps
/// alternating; speed is reported as Dictionary's time / NativeMap's time (above 1: NativeMap is faster).
/// </summary>
public static class SideBySideProgram
{
    private static readonly int[] s_defaultSizes = [4_000_000, 10_000_000];

    public static string Usage { get; } = """
        NativeMap.SideBySide: Dictionary<ulong,ulong> and NativeMap<ulong,ulong> on the same random keys, in one process.

        Usage: dotnet run -c Release --project perf/NativeMap.SideBySide -- [options]
          --n N[,N...]   entries (default 4000000,10000000)
          --runs R       runs per map and size; the best is reported (default 2)
          --hugepages on|off  SpanHeap.Shared's huge pages (sets NATIVEMAP_HUGEPAGES before the heap is made; default on)
          --short        N = 50000, one run: a smoke run for the tests (figures mean nothing)
          --help         this text

        Exit code: 0 on success, 1 when the two maps disagree, 2 for bad arguments.
        """;

    /// <summary>Runs the program, writing to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        int[] sizes = s_defaultSizes;
        int runs = 2;
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--n" when a + 1 < args.Length:
                    sizes = args[++a].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--runs" when a + 1 < args.Length:
                    runs = int.Parse(args[++a], CultureInfo.InvariantCulture);
                    break;
                case "--hugepages" when a + 1 < args.Length && args[a + 1] is "on" or "off":
                    Environment.SetEnvironmentVariable("NATIVEMAP_HUGEPAGES", args[++a]);
                    break;
                case "--short":
                    sizes = [50_000];
                    runs = 1;
                    break;
                case "--help":
                    output.WriteLine(Usage);
                    return 0;
                default:
                    output.WriteLine($"unknown or incomplete argument '{args[a]}'");
                    output.WriteLine(Usage);
                    return 2;
            }
        }

        if (runs < 1 || sizes.Any(n => n < Operations.InsertBatch))
        {
            output.WriteLine($"--runs must be at least 1 and every N at least {Operations.InsertBatch}");
            return 2;
        }

        output.WriteLine($"{MachineLine()}; best of {runs} run(s), Dictionary and NativeMap alternating; " +
            $"NativeMap on SpanHeap.Shared, huge pages {(NativeMap.Allocator.SpanHeap.Shared.HugePagesActive ? "on" : "off")} (THP: {ThpMode()})");

        // Bring every loop to tier 1 on a small map first, so that no timed loop starts in tier 0 or OSR code.
        KeySet warm = KeySet.Create(20_000);
        for (int i = 0; i < 3; i++)
        {
            Operations.Run(() => new DictionaryMap(), warm);
            Operations.Run(() => new NativeMapMap(), warm);
        }

        bool agree = true;
        foreach (int n in sizes)
        {
            KeySet keys = KeySet.Create(n);
            RunResult? bestDictionary = null;
            RunResult? bestMap = null;
            for (int r = 0; r < runs; r++)
            {
                bestDictionary = Best(bestDictionary, Measure(() => Operations.Run(() => new DictionaryMap(), keys)));
                bestMap = Best(bestMap, Measure(() => Operations.Run(() => new NativeMapMap(), keys)));
                if (bestDictionary.Checksum != bestMap.Checksum)
                {
                    output.WriteLine($"N = {n}: the maps disagree (checksums {bestDictionary.Checksum:X16} and {bestMap.Checksum:X16})");
                    agree = false;
                }
            }

            Report.Write(output, n, bestDictionary!, bestMap!);
        }

        return agree ? 0 : 1;
    }

    private static RunResult Measure(Func<RunResult> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return run();
    }

    /// <summary>The best of two runs, figure by figure (the checksum is the same in every run).</summary>
    private static RunResult Best(RunResult? a, RunResult b) => a is null ? b : new RunResult(
        Math.Min(a.InsertNs, b.InsertNs),
        Math.Min(a.HitOrderedNs, b.HitOrderedNs),
        Math.Min(a.HitShuffledNs, b.HitShuffledNs),
        Math.Min(a.MissNs, b.MissNs),
        Math.Min(a.DeleteNs, b.DeleteNs),
        Math.Min(a.SlowestBatchMs, b.SlowestBatchMs),
        Math.Min(a.BatchHitNs, b.BatchHitNs),
        Math.Min(a.BulkLoadNs, b.BulkLoadNs),
        a.Checksum == b.Checksum ? a.Checksum : a.Checksum ^ b.Checksum);

    private static string ThpMode()
    {
        const string Path = "/sys/kernel/mm/transparent_hugepage/enabled";
        string text = File.Exists(Path) ? File.ReadAllText(Path) : "";
        int open = text.IndexOf('[', StringComparison.Ordinal);
        int close = text.IndexOf(']', StringComparison.Ordinal);
        return open >= 0 && close > open ? text[(open + 1)..close] : "n/a";
    }

    private static string MachineLine()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.ProcessArchitecture.ToString();
        return $"{Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC";
    }
}
