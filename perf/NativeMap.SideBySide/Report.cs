using System.Globalization;

namespace NativeMap.SideBySide;

/// <summary>Writes a size's results as a markdown table: ns per operation, then speed vs Dictionary.</summary>
public static class Report
{
    public static void Write(TextWriter output, int n, RunResult dictionary, RunResult map)
    {
        output.WriteLine();
        output.WriteLine($"| N = {Size(n)}, ns/op | insert | hit (insertion order) | hit (shuffled) | miss | delete | slowest 4,096-insert batch | batch hit (shuffled, 64 a call) | bulk load (one SetValues) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Row(output, "`Dictionary<ulong,ulong>`", dictionary);
        Row(output, "`NativeMap<ulong,ulong>`", map);
        output.WriteLine($"| speed vs Dictionary (x) | {Speed(dictionary.InsertNs, map.InsertNs)} | {Speed(dictionary.HitOrderedNs, map.HitOrderedNs)} | " +
            $"{Speed(dictionary.HitShuffledNs, map.HitShuffledNs)} | {Speed(dictionary.MissNs, map.MissNs)} | {Speed(dictionary.DeleteNs, map.DeleteNs)} | " +
            $"{Speed(dictionary.SlowestBatchMs, map.SlowestBatchMs)} | {Speed(dictionary.BatchHitNs, map.BatchHitNs)} | {Speed(dictionary.BulkLoadNs, map.BulkLoadNs)} |");
        output.WriteLine();
        output.WriteLine($"checksum {map.Checksum:X16} (perf/NativeMap.AbseilReference prints the same one for the same N)");
    }

    private static void Row(TextWriter output, string name, RunResult r) =>
        output.WriteLine(Invariant($"| {name} | {r.InsertNs:F0} | {r.HitOrderedNs:F0} | {r.HitShuffledNs:F0} | {r.MissNs:F0} | {r.DeleteNs:F0} | {r.SlowestBatchMs:F1} ms | {r.BatchHitNs:F0} | {r.BulkLoadNs:F0} |"));

    /// <summary>Dictionary's time / NativeMap's: above 1, NativeMap is faster.</summary>
    private static string Speed(double dictionary, double map) => Invariant($"{dictionary / map:F2}");

    private static string Size(int n) => n % 1_000_000 == 0 ? Invariant($"{n / 1_000_000} M") : n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
