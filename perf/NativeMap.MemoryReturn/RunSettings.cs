using System.Globalization;
using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// What one run does: how many keys, the decay given to the scavenger, how long the children idle, where the results
/// go. Every default is a named constant with its unit and reason.
/// </summary>
public sealed record RunSettings
{
    /// <summary>Keys per variant in a full run: 10 million, the size of the services NativeMap is for (a Dictionary of
    /// this size holds ~400 MiB at the peak of its last resize).</summary>
    public const int DefaultCount = 10_000_000;

    /// <summary>Keys per variant in <c>--quick</c>: large enough that every structure is tens of MiB, well above the
    /// few MiB of noise in a process's RSS; small enough that four children fill it in well under a second.</summary>
    public const int QuickCount = 1_000_000;

    /// <summary>The fewest keys accepted: below this the structures are lost in the runtime's own RSS.</summary>
    public const int MinCount = 1_000;

    /// <summary>The most keys accepted: four children at ~80 B per entry at their peaks need ~64 GiB for this.</summary>
    public const int MaxCount = 200_000_000;

    /// <summary>The seed of the keys: fixed, so that every run inserts the same keys.</summary>
    public const ulong DefaultSeed = 0x4E61_7469_7665_4D61;

    /// <summary>The decay in <c>--quick</c>: 1 s, so the release shows within a few seconds.</summary>
    public static readonly TimeSpan QuickDecay = TimeSpan.FromSeconds(1);

    /// <summary>How much longer than the decay the children idle in a full run: 5 s, enough for the scavenger (paced to
    /// 5 % of a core, ~650 MiB/s) to release a few GiB and for the chart to show RSS flat afterwards.</summary>
    public static readonly TimeSpan IdleMargin = TimeSpan.FromSeconds(5);

    /// <summary>The same in <c>--quick</c>: 2 s, for structures of tens of MiB.</summary>
    public static readonly TimeSpan QuickIdleMargin = TimeSpan.FromSeconds(2);

    /// <summary>How long past the planned idle the scavenger variant may wait for its heap to have no idle pages left:
    /// on a loaded machine the scavenger thread may start late. A deadline, never a fixed sleep.</summary>
    public static readonly TimeSpan IdleExtensionLimit = TimeSpan.FromSeconds(30);

    /// <summary>How often each child samples RSS and heap figures.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Keys per variant.</summary>
    public int Count { get; init; } = DefaultCount;

    /// <summary><c>SpanHeapOptions.ScavengeDecay</c> for the NativeMap variants.</summary>
    public TimeSpan Decay { get; init; } = SpanHeapOptions.DefaultScavengeDecay;

    /// <summary>How long every child idles after the drop (the scavenger variant may idle longer, see
    /// <see cref="IdleExtensionLimit"/>).</summary>
    public TimeSpan Idle { get; init; } = SpanHeapOptions.DefaultScavengeDecay + IdleMargin;

    /// <summary>How long the baseline phase lasts.</summary>
    public TimeSpan Baseline { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether this is a <c>--quick</c> run (smaller N, shorter decay and idle).</summary>
    public bool Quick { get; init; }

    /// <summary>The seed of the keys.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Where the CSV, the PNG and the summary go.</summary>
    public string OutputDirectory { get; init; } = "";

    /// <summary>The settings of <c>--quick</c>: N = <see cref="QuickCount"/>, decay <see cref="QuickDecay"/>, idle
    /// decay + <see cref="QuickIdleMargin"/>, half a second of baseline.</summary>
    public static RunSettings QuickDefaults { get; } = new()
    {
        Count = QuickCount,
        Decay = QuickDecay,
        Idle = QuickDecay + QuickIdleMargin,
        Baseline = TimeSpan.FromMilliseconds(500),
        Quick = true,
    };

    /// <summary>Whether <see cref="Decay"/> is the heap's own default.</summary>
    public bool IsDefaultDecay => Decay == SpanHeapOptions.DefaultScavengeDecay;

    /// <summary>The arguments that make a child run <paramref name="variant"/> with these settings.</summary>
    public IReadOnlyList<string> ToChildArguments(Variant variant)
    {
        var arguments = new List<string>
        {
            CommandLine.ChildOption, variant.Name,
            "--n", Count.ToString(CultureInfo.InvariantCulture),
            "--decay", Decay.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            "--idle", Idle.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            "--seed", Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (Quick)
        {
            arguments.Add("--quick");
        }

        return arguments;
    }

    /// <summary>"10 s (the SpanHeapOptions default)", or "1 s (the default is 10 s)".</summary>
    public string DescribeDecay() => IsDefaultDecay
        ? $"{Seconds(Decay)} (the SpanHeapOptions default)"
        : $"{Seconds(Decay)} (the default is {Seconds(SpanHeapOptions.DefaultScavengeDecay)})";

    /// <summary>Seconds, without trailing zeros: "10 s", "1.5 s".</summary>
    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
