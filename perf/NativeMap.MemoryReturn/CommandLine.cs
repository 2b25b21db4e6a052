using System.Globalization;

namespace NativeMap.MemoryReturn;

/// <summary>
/// The program's arguments: the public flags (<c>--n</c>, <c>--out</c>, <c>--quick</c>, <c>--decay</c>,
/// <c>--idle</c>, <c>--help</c>) and <c>--child VARIANT</c>, which the orchestrator passes when it starts itself again.
/// </summary>
public sealed record CommandLine(RunSettings Settings, Variant? Child, bool ShowHelp)
{
    /// <summary>The hidden flag that makes the process one variant's child.</summary>
    public const string ChildOption = "--child";

    /// <summary>The directory results go to in a full run, relative to the repository root (or to the current
    /// directory outside a clone): the committed results that the README shows.</summary>
    public const string DefaultOutputDirectory = "perf/NativeMap.MemoryReturn/results";

    /// <summary>The directory under the system's temporary directory that <c>--quick</c> writes to by default: quick
    /// results are a smoke test, not figures to publish, so they never overwrite the committed ones.</summary>
    public const string QuickOutputDirectory = "nativemap-memory-return-quick";

    public static string Usage { get; } = $"""
        NativeMap.MemoryReturn: does freed memory go back to the OS? Dictionary<long,long> against NativeMap<long,long>.

        Each variant runs in a child process of its own, all four side by side and in lockstep through the same life
        cycle: baseline, fill N random long keys (no capacity hint), remove 90 %, remove the rest, drop, idle. Every
        child samples its RSS (/proc/self/status VmRSS) and its heap's figures every {RunSettings.SampleInterval.TotalMilliseconds:F0} ms.

        {string.Join(Environment.NewLine, Variant.All.Select(v => $"  {v.Name,-24}{v.Description.Replace("`", "", StringComparison.Ordinal)}"))}

        Usage:
          dotnet run -c Release --project perf/NativeMap.MemoryReturn -- [options]
          dotnet NativeMap.MemoryReturn.dll [options]

        Options:
          --n N          keys per variant (default {RunSettings.DefaultCount:N0}; --quick: {RunSettings.QuickCount:N0})
          --out DIR      where memory-return.csv, .png and .md go
                         (default: {DefaultOutputDirectory} under the repository root, found from
                         the current directory, else ./memory-return; --quick: $TMPDIR/{QuickOutputDirectory})
          --quick        small N, decay {RunSettings.QuickDecay.TotalSeconds:F0} s, idle decay + {RunSettings.QuickIdleMargin.TotalSeconds:F0} s: a smoke run for CI (well under a minute)
          --decay SEC    the scavenger's decay in seconds (default: SpanHeapOptions' 10; --quick: {RunSettings.QuickDecay.TotalSeconds:F0})
          --idle SEC     seconds every child idles after the drop (default: decay + {RunSettings.IdleMargin.TotalSeconds:F0}; --quick: decay + {RunSettings.QuickIdleMargin.TotalSeconds:F0})
          --help         this text

        Exit code: 0 on success, 1 when a child or the run fails, 2 for bad arguments.

        """;

    /// <summary>Parses the arguments.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="currentDirectory">Where to look for the repository root for the default output directory.</param>
    /// <exception cref="ArgumentException">An argument is unknown, missing its value, or out of range.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        int? count = null;
        double? decaySeconds = null;
        double? idleSeconds = null;
        ulong? seed = null;
        string? output = null;
        string? child = null;
        bool quick = false;
        bool help = false;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--n":
                    count = ParseNumber<int>(arg, Value(args, ref i));
                    break;
                case "--out":
                    output = Value(args, ref i);
                    break;
                case "--decay":
                    decaySeconds = ParseNumber<double>(arg, Value(args, ref i));
                    break;
                case "--idle":
                    idleSeconds = ParseNumber<double>(arg, Value(args, ref i));
                    break;
                case "--seed":
                    seed = ParseNumber<ulong>(arg, Value(args, ref i));
                    break;
                case ChildOption:
                    child = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{arg}'");
            }
        }

        RunSettings settings = quick ? RunSettings.QuickDefaults : new RunSettings();
        if (count is { } n)
        {
            if (n is < RunSettings.MinCount or > RunSettings.MaxCount)
            {
                throw new ArgumentException($"--n must be between {RunSettings.MinCount:N0} and {RunSettings.MaxCount:N0}, not {n:N0}");
            }

            settings = settings with { Count = n };
        }

        if (decaySeconds is { } decay)
        {
            if (!(decay >= 0 && decay <= 3600))
            {
                throw new ArgumentException($"--decay must be between 0 and 3600 seconds, not {decay}");
            }

            TimeSpan margin = quick ? RunSettings.QuickIdleMargin : RunSettings.IdleMargin;
            settings = settings with { Decay = TimeSpan.FromSeconds(decay), Idle = TimeSpan.FromSeconds(decay) + margin };
        }

        if (idleSeconds is { } idle)
        {
            if (!(idle >= 0 && idle <= 3600))
            {
                throw new ArgumentException($"--idle must be between 0 and 3600 seconds, not {idle}");
            }

            settings = settings with { Idle = TimeSpan.FromSeconds(idle) };
        }

        if (seed is { } s)
        {
            settings = settings with { Seed = s };
        }

        Variant? variant = null;
        if (child is not null)
        {
            variant = Variant.Find(child)
                ?? throw new ArgumentException($"{ChildOption}: unknown variant '{child}' (known: {string.Join(", ", Variant.All.Select(v => v.Name))})");
        }

        output ??= quick ? Path.Combine(Path.GetTempPath(), QuickOutputDirectory) : DefaultOutput(currentDirectory);
        settings = settings with { OutputDirectory = Path.GetFullPath(output, currentDirectory) };
        return new CommandLine(settings, variant, help);
    }

    /// <summary><see cref="DefaultOutputDirectory"/> under the nearest directory upwards that holds NativeMap.sln;
    /// ./memory-return when there is none.</summary>
    private static string DefaultOutput(string currentDirectory)
    {
        for (DirectoryInfo? directory = new(currentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NativeMap.sln")))
            {
                return Path.Combine(directory.FullName, DefaultOutputDirectory);
            }
        }

        return Path.Combine(currentDirectory, "memory-return");
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static T ParseNumber<T>(string option, string value)
        where T : ISpanParsable<T>
    {
        string digits = value.Replace("_", "", StringComparison.Ordinal);
        return T.TryParse(digits, CultureInfo.InvariantCulture, out T? result)
            ? result
            : throw new ArgumentException($"{option}: '{value}' is not a number");
    }
}
