using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>
/// Immutable settings of a <see cref="SpanHeap"/>. Every option, its default, its unit and the reason for the
/// default live in this one table; <see cref="Validate"/> checks them all, and the heap calls it at construction.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>option</term><description>default · unit · why</description></listheader>
/// <item><term><see cref="ScavengeDecay"/></term><description>10 s. A freed page stays resident this long before the
/// scavenger returns it to the OS. jemalloc's <c>dirty_decay_ms</c> default is the same: long enough that a cache
/// which empties and refills within a few seconds keeps its pages warm (refaulting a page costs about 2.4 µs per 4 KiB
/// on the reference machine, a release about 0.3 µs), short enough that an idle service's RSS falls within seconds.</description></item>
/// <item><term><see cref="ScavengerEnabled"/></term><description>true. Off means only <see cref="SpanHeap.FreeOSMemory"/>
/// and <see cref="MemoryLimit"/> release memory.</description></item>
/// <item><term><see cref="ReleaseOnGrowth"/></term><description>true. When an allocation maps pages that are not
/// resident while idle pages sit unused, as many idle pages are released at once: a map growing to 10 M entries peaks at
/// 492 MiB of RSS instead of 605 MiB (the arrays it outgrew no longer wait out the decay). Needs
/// <see cref="ScavengerEnabled"/>.</description></item>
/// <item><term><see cref="MemoryLimit"/></term><description>none · bytes. A soft limit on resident heap memory
/// (in use + idle). Above it the scavenger releases free pages at once, oldest first, ignoring the decay.</description></item>
/// <item><term><see cref="ScavengerCpuPercent"/></term><description>5 · percent of one core. The background release
/// budget. Releasing runs at about 13 GiB/s on the reference machine, so 5 % returns about 650 MiB/s: 1 GiB of idle pages
/// leaves RSS within two seconds of its decay. Runs scattered between live spans (a 90 % scattered delete) release
/// slower: 100–300 MiB/s at 5 % was measured for 10 GiB of them. (Go uses 1 % of GOMAXPROCS, but makes no promise about when.)</description></item>
/// <item><term><see cref="ArenaSize"/></term><description>64 MiB · bytes. The unit in which address space is reserved
/// (Go's heap arena on 64-bit Linux). Only address space: pages cost memory when first touched.</description></item>
/// <item><term><see cref="HugePages"/></term><description>true. Large spans of 2 MiB and more are carved 2 MiB-aligned
/// and advised to the kernel as transparent huge pages before their first touch (Linux; a no-op where the OS has no
/// such advice or THP is <c>never</c>). A dependent random load over a 512 MiB block costs about a third less with
/// them on the reference machine (perf/README.md); bucket arrays of a large map are such loads.</description></item>
/// <item><term><see cref="ProtectReleasedPages"/></term><description>false. Debug aid: released pages are mapped
/// inaccessible, so any use of memory after the heap released it faults at once.</description></item>
/// <item><term><see cref="TimeProvider"/></term><description><see cref="TimeProvider.System"/>. The scavenger's clock;
/// tests pass a fake one to drive decay without sleeping.</description></item>
/// <item><term><see cref="ScavengerTrace"/></term><description>null. When set, one line per scavenger cycle is written
/// to it (like Go's <c>GODEBUG=scavtrace=1</c>).</description></item>
/// </list>
/// </remarks>
public sealed record SpanHeapOptions
{
    /// <summary>The default <see cref="ScavengeDecay"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultScavengeDecay = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="ArenaSize"/>: 64 MiB.</summary>
    public const long DefaultArenaSize = 64L << 20;

    /// <summary>The smallest <see cref="ArenaSize"/>: 4 MiB, two 2 MiB huge pages.</summary>
    public const long MinArenaSize = 4L << 20;

    /// <summary>The largest <see cref="ArenaSize"/>: 1 GiB.</summary>
    public const long MaxArenaSize = 1L << 30;

    /// <summary>The default <see cref="ScavengerCpuPercent"/>: 5 percent of one core.</summary>
    public const double DefaultScavengerCpuPercent = 5.0;

    /// <summary>The longest <see cref="ScavengeDecay"/> accepted: one day.</summary>
    public static readonly TimeSpan MaxScavengeDecay = TimeSpan.FromDays(1);

    /// <summary>Name used in metrics tags and trace lines. Defaults to <c>heap-N</c>.</summary>
    public string? Name { get; init; }

    /// <summary>How long a page must stay free before the background scavenger returns it to the OS. Zero releases
    /// pages as soon as the scavenger sees them. Between zero and <see cref="MaxScavengeDecay"/>.</summary>
    public TimeSpan ScavengeDecay { get; init; } = DefaultScavengeDecay;

    /// <summary>Whether free pages are released by age. When false, only <see cref="SpanHeap.FreeOSMemory"/> and the
    /// <see cref="MemoryLimit"/> release memory (with a limit set, the scavenger thread still runs, for the limit alone).</summary>
    public bool ScavengerEnabled { get; init; } = true;

    /// <summary>Whether heap growth is paid for with idle pages. When an allocation brings pages that are not resident
    /// (fresh or released) into use while the heap holds idle pages too small or too scattered to serve it, the
    /// scavenger releases as many idle pages at once, oldest first, whatever their age: resident memory then grows
    /// with in-use memory, not with in-use memory plus everything a growing structure has outgrown (the arrays a map
    /// doubled out of). The Go runtime's heap does the same when it grows. The cost: pages released this way fault in
    /// again if the heap reuses them before the decay would have released them; turn it off to keep every free page
    /// warm for the full decay. Needs <see cref="ScavengerEnabled"/>. Default true.</summary>
    public bool ReleaseOnGrowth { get; init; } = true;

    /// <summary>Soft limit, in bytes, on resident heap memory (in use + idle). When exceeded, free pages are released
    /// at once, oldest first, regardless of <see cref="ScavengeDecay"/>. It cannot make in-use memory smaller, and it
    /// never makes an allocation fail. Null (the default) means no limit.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Background release budget in percent of one core, in (0, 100].</summary>
    public double ScavengerCpuPercent { get; init; } = DefaultScavengerCpuPercent;

    /// <summary>Bytes of address space reserved at a time: a power of two between <see cref="MinArenaSize"/> and
    /// <see cref="MaxArenaSize"/>. An allocation larger than an arena gets an arena of its own, rounded up.</summary>
    public long ArenaSize { get; init; } = DefaultArenaSize;

    /// <summary>Whether large spans (2 MiB and more) are backed by transparent huge pages. Such spans start on a huge
    /// page boundary; every whole huge page of the span is advised (<c>madvise(MADV_HUGEPAGE)</c>) before the caller can
    /// touch it, so the kernel maps 2 MiB pages at the first fault: one TLB entry where 512 were needed. The pages of a
    /// huge page are released together (the scavenger never splits one), and the advice is withdrawn before the range
    /// is reused for smaller spans. Effective on Linux when transparent huge pages are not <c>never</c>
    /// (<see cref="SpanHeap.HugePagesActive"/>); elsewhere ignored. Default true.</summary>
    public bool HugePages { get; init; } = true;

    /// <summary>Debug aid: map released pages inaccessible so that a use of released memory faults at once.
    /// Costs a system call per reuse; not for production.</summary>
    public bool ProtectReleasedPages { get; init; }

    /// <summary>The clock the scavenger reads. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>When not null, the scavenger writes one line per cycle here.</summary>
    public TextWriter? ScavengerTrace { get; init; }

    /// <summary>Seam for tests: the OS memory layer. Null means the real one for this platform.</summary>
    internal IOsMemory? OsMemory { get; init; }

    /// <summary>Seam for tests: false keeps the scavenger's thread from starting, so a test drives cycles itself
    /// (<c>HeapCore.RunScavengerCycle</c>) with a fake clock and no sleeping.</summary>
    internal bool StartScavengerThread { get; init; } = true;

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> (or a subtype) naming the first bad one.</summary>
    public void Validate()
    {
        if (ScavengeDecay < TimeSpan.Zero || ScavengeDecay > MaxScavengeDecay)
        {
            throw new ArgumentOutOfRangeException(nameof(ScavengeDecay), ScavengeDecay,
                $"{nameof(ScavengeDecay)} must be between zero and {MaxScavengeDecay}.");
        }

        if (MemoryLimit is { } limit && limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryLimit), limit, $"{nameof(MemoryLimit)} must be positive.");
        }

        if (!(ScavengerCpuPercent > 0 && ScavengerCpuPercent <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(ScavengerCpuPercent), ScavengerCpuPercent,
                $"{nameof(ScavengerCpuPercent)} must be in (0, 100].");
        }

        if (ArenaSize < MinArenaSize || ArenaSize > MaxArenaSize || (ArenaSize & (ArenaSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ArenaSize), ArenaSize,
                $"{nameof(ArenaSize)} must be a power of two between {MinArenaSize} and {MaxArenaSize} bytes.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }

    /// <summary>
    /// Options for <see cref="SpanHeap.Shared"/>, read from environment variables the way Go reads
    /// <c>GOMEMLIMIT</c> and <c>GODEBUG</c>:
    /// <list type="bullet">
    /// <item><c>NATIVEMAP_SCAVENGE_DECAY</c> — a duration: <c>10s</c>, <c>500ms</c>, <c>2m</c>, or plain seconds.</item>
    /// <item><c>NATIVEMAP_MEMORY_LIMIT</c> — bytes with an optional suffix: <c>512MiB</c>, <c>2GiB</c>, <c>off</c>.</item>
    /// <item><c>NATIVEMAP_SCAVENGER</c> — <c>on</c> (default) or <c>off</c>.</item>
    /// <item><c>NATIVEMAP_HUGEPAGES</c> — <c>on</c> (default) or <c>off</c>: <see cref="HugePages"/>.</item>
    /// <item><c>NATIVEMAPDEBUG</c> — comma-separated <c>key=value</c>: <c>scavtrace=1</c> traces each scavenger cycle
    /// to standard error; <c>protectreleased=1</c> sets <see cref="ProtectReleasedPages"/>.</item>
    /// </list>
    /// A malformed value throws <see cref="ArgumentException"/> naming the variable.
    /// </summary>
    public static SpanHeapOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    internal static SpanHeapOptions FromEnvironment(Func<string, string?> getVariable)
    {
        var options = new SpanHeapOptions { Name = "shared" };

        if (getVariable("NATIVEMAP_SCAVENGE_DECAY") is { Length: > 0 } decay)
        {
            options = options with { ScavengeDecay = EnvironmentParsing.ParseDuration("NATIVEMAP_SCAVENGE_DECAY", decay) };
        }

        if (getVariable("NATIVEMAP_MEMORY_LIMIT") is { Length: > 0 } limit)
        {
            options = options with { MemoryLimit = EnvironmentParsing.ParseByteSize("NATIVEMAP_MEMORY_LIMIT", limit) };
        }

        if (getVariable("NATIVEMAP_SCAVENGER") is { Length: > 0 } scavenger)
        {
            options = options with { ScavengerEnabled = EnvironmentParsing.ParseSwitch("NATIVEMAP_SCAVENGER", scavenger) };
        }

        if (getVariable("NATIVEMAP_HUGEPAGES") is { Length: > 0 } hugePages)
        {
            options = options with { HugePages = EnvironmentParsing.ParseSwitch("NATIVEMAP_HUGEPAGES", hugePages) };
        }

        if (getVariable("NATIVEMAPDEBUG") is { Length: > 0 } debug)
        {
            foreach (var (key, value) in EnvironmentParsing.ParseSettings("NATIVEMAPDEBUG", debug))
            {
                switch (key)
                {
                    case "scavtrace":
                        options = options with { ScavengerTrace = EnvironmentParsing.ParseSwitch("NATIVEMAPDEBUG scavtrace", value) ? Console.Error : null };
                        break;
                    case "protectreleased":
                        options = options with { ProtectReleasedPages = EnvironmentParsing.ParseSwitch("NATIVEMAPDEBUG protectreleased", value) };
                        break;
                    default:
                        throw new ArgumentException(
                            string.Create(CultureInfo.InvariantCulture, $"NATIVEMAPDEBUG: unknown setting '{key}' (known: scavtrace, protectreleased)."));
                }
            }
        }

        options.Validate();
        return options;
    }
}
