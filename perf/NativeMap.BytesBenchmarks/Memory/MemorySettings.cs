using System.Globalization;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>The memory program's settings, from its command line (the children get the same ones).</summary>
public sealed record MemorySettings
{
    public int Count { get; init; } = 1_000_000;

    public int ValueSize { get; init; } = 1000;

    /// <summary>The heap's scavenger decay (the native variants' heaps).</summary>
    public TimeSpan Decay { get; init; } = TimeSpan.FromSeconds(10);

    public string OutputDirectory { get; init; } = Path.Combine("perf", "NativeMap.BytesBenchmarks", "results");

    public bool Quick { get; init; }

    public IReadOnlyList<MemoryVariant> Variants { get; init; } = MemoryVariant.All;

    /// <summary>A file-name stem for this run's size: <c>memory-1M-1000B</c>.</summary>
    public string Stem => $"memory-{Describe(Count)}-{ValueSize}B{(Quick ? "-quick" : "")}";

    public const string Usage = """
        memory [--n COUNT] [--value BYTES] [--decay SECONDS] [--variants a,b,...] [--out DIR] [--quick]
          Fills COUNT keys (16-40 ASCII bytes) with BYTES-byte values, times forced full GCs, deletes 90 % scattered
          (every key whose index is not a multiple of 10), compacts (per variant), idles for the decay, clears, idles
          again; each variant in a child process of its own, one after another, RSS and GC heap sampled every 100 ms.
          Writes DIR/memory-<n>-<value>B.csv, .md and .png. Defaults: --n 1000000 --value 1000 --decay 10
          --variants dictionary,native,native-compact,native-nocompact --out perf/NativeMap.BytesBenchmarks/results.
          --quick: 20,000 keys, 0.5 s decay (the test's smoke run).
        """;

    public static MemorySettings Parse(IReadOnlyList<string> args)
    {
        var settings = new MemorySettings();
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                "--n" => settings with { Count = int.Parse(Next(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture) },
                "--value" => settings with { ValueSize = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--decay" => settings with { Decay = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--out" => settings with { OutputDirectory = Next() },
                "--variants" => settings with { Variants = Next().Split(',').Select(MemoryVariant.Find).ToList() },
                "--quick" => settings with { Quick = true, Count = 20_000, Decay = TimeSpan.FromSeconds(0.5) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (settings.Count < 10 || settings.ValueSize < 0)
        {
            throw new ArgumentException("--n must be at least 10 and --value not negative");
        }

        return settings;
    }

    /// <summary>The arguments that give a child these settings.</summary>
    public IEnumerable<string> ChildArguments() =>
    [
        "--n", Count.ToString(CultureInfo.InvariantCulture),
        "--value", ValueSize.ToString(CultureInfo.InvariantCulture),
        "--decay", Decay.TotalSeconds.ToString(CultureInfo.InvariantCulture),
    ];

    public static string Describe(long count) => count switch
    {
        >= 1_000_000 when count % 1_000_000 == 0 => $"{count / 1_000_000}M",
        >= 1000 when count % 1000 == 0 => $"{count / 1000}K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };
}
