using System.Text;

namespace NativeMap.MemoryReturn.Tests;

/// <summary>
/// The experiment's claims, checked on a --quick run (N = 1,000,000, decay 1 s): NativeMap's memory goes back to the OS
/// by itself after the decay, or at once with FreeOSMemory; with the scavenger off it stays; Dictionary's never
/// leaves while the dictionary lives. Thresholds are fractions of each variant's own peak above its baseline, with
/// wide margins (measured: ~4 % left after the return, 75–100 % where memory stays), so they hold on a loaded machine and fail if the heap
/// stops returning memory.
/// </summary>
[Collection(QuickRunCollection.Name)]
public sealed class MemoryReturnTests(QuickRun run, ITestOutputHelper output)
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>"Back near baseline": at most this fraction of the peak above baseline still resident.</summary>
    private const double NearBaseline = 0.25;

    /// <summary>"Stays high": at least this fraction of the peak above baseline still resident.</summary>
    private const double StaysHigh = 0.5;

    /// <summary>
    /// Every structure really held the keys: a Dictionary&lt;long,long&gt; entry is 24 B and a NativeMap slot 16 B plus
    /// its bucket's share, so 16 B per key is a floor for either at its peak.
    /// </summary>
    private const long MinBytesPerKeyAtPeak = 16;

    [Fact]
    public void QuickRun_AllVariants_FinishEveryPhase()
    {
        output.WriteLine($"--quick took {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.StandardOutput);
        Assert.Equal(Variant.All.Select(v => v.Name), run.Timelines.Select(t => t.Variant));
        foreach (VariantTimeline timeline in run.Timelines)
        {
            string[] steps = timeline.Samples.Select(s => Phases.StepOf(s.Phase)).Distinct().ToArray();
            Assert.Equal(Phases.Steps, steps);
            Assert.True(timeline.Samples.Zip(timeline.Samples.Skip(1)).All(p => p.First.Seconds <= p.Second.Seconds), $"{timeline.Variant}: samples out of time order");
        }
    }

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Fill_EveryVariant_PeakHoldsTheKeys(string variant)
    {
        VariantSummary summary = SummaryOf(Variant.All.Single(v => v.Name == variant));
        Assert.True(summary.Peak >= MinBytesPerKeyAtPeak * QuickRun.Count,
            $"{variant}: peak only {summary.Peak / MiB:F1} MiB above baseline for {QuickRun.Count:N0} keys");
    }

    [Fact]
    public void Scavenger_EndOfIdle_RssBackNearBaseline()
    {
        VariantSummary summary = SummaryOf(Variant.Scavenger);
        AssertNearBaseline(summary, summary.EndOfIdle, "at the end of the idle (after the decay)");

        // summary.ReturnedAfterSeconds (the report's "within 10 % of the peak") is not asserted here: the quick run's peak
        // is ~60 MiB, of which ~4 MiB is the process's own residue (the FreeOSMemory variant ends there too), so 10 % was
        // met by half a MiB and missed under load. The 10 M run in the README returns to 2 % of its peak.

        Sample end = run.Timeline(Variant.Scavenger).LastIn(Phases.Idle)!.Value;
        AssertNearBaseline(summary, end.HeapIdleBytes, "of idle heap pages at the end of the idle");
    }

    [Fact]
    public void FreeOSMemory_RightAfterTheCall_RssNearBaseline()
    {
        VariantSummary summary = SummaryOf(Variant.FreeOSMemory);
        AssertNearBaseline(summary, summary.AfterFreeOSMemory, "right after FreeOSMemory()");

        // The last sample of the phase is taken after the call returned; an earlier one may be from during the call.
        Sample afterCall = run.Timeline(Variant.FreeOSMemory).LastIn(Phases.FreeOSMemory)!.Value;
        Assert.Equal(0, afterCall.HeapIdleBytes);
    }

    [Fact]
    public void NoScavenger_EndOfIdle_RssStaysHigh()
    {
        VariantSummary summary = SummaryOf(Variant.NoScavenger);
        AssertStaysHigh(summary, summary.EndOfIdle, "at the end of the idle, with no scavenger");
        Assert.Null(summary.ReturnedAfterSeconds);

        Sample end = run.Timeline(Variant.NoScavenger).LastIn(Phases.Idle)!.Value;
        AssertStaysHigh(summary, end.HeapIdleBytes ?? 0, "of idle heap pages at the end of the idle");
    }

    [Fact]
    public void Dictionary_AfterAllRemoved_RssStaysHigh()
    {
        VariantSummary summary = SummaryOf(Variant.Dictionary);
        AssertStaysHigh(summary, summary.AfterAll, "with every key removed (Dictionary does not shrink)");
        Assert.True(summary.AfterAll >= MinBytesPerKeyAtPeak * QuickRun.Count,
            $"dictionary: only {summary.AfterAll / MiB:F1} MiB above baseline with every key removed; its arrays alone are 24 B per key");
    }

    [Fact]
    public void Chart_IsAPngOfSomeSize()
    {
        byte[] png = File.ReadAllBytes(run.FilePath(RssChart.FileName));
        Assert.True(png.Length > 20_000, $"{RssChart.FileName} is only {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
    }

    [Fact]
    public void Summary_HasTheTableAndTheMachine()
    {
        string markdown = File.ReadAllText(run.FilePath(SummaryReport.FileName), Encoding.UTF8);
        output.WriteLine(markdown);
        Assert.True(markdown.Length > 1_000, $"{SummaryReport.FileName} is only {markdown.Length} characters");
        Assert.Contains("| variant", markdown, StringComparison.Ordinal);
        foreach (Variant variant in Variant.All)
        {
            Assert.Contains($"| {variant.Name} ", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("Machine:", markdown, StringComparison.Ordinal);
        Assert.Contains($"N = {QuickRun.Count:N0}", markdown, StringComparison.Ordinal);
        Assert.Contains($"]({RssChart.FileName})", markdown, StringComparison.Ordinal);
        Assert.Contains(SummaryReport.Table(run.Timelines.Select(VariantSummary.From).ToList()).Split('\n')[0], run.StandardOutput, StringComparison.Ordinal);
    }

    public static TheoryData<string> VariantNames() => new(Variant.All.Select(v => v.Name));

    /// <summary>At most <see cref="NearBaseline"/> of the variant's peak above baseline.</summary>
    private static void AssertNearBaseline(VariantSummary summary, long? bytes, string when) => Assert.True(
        bytes <= summary.Peak * NearBaseline,
        $"{summary.Variant}: {bytes / MiB:F1} MiB {when}, over {NearBaseline:P0} of its peak of {summary.Peak / MiB:F1} MiB above baseline");

    /// <summary>At least <see cref="StaysHigh"/> of the variant's peak above baseline.</summary>
    private static void AssertStaysHigh(VariantSummary summary, long bytes, string when) => Assert.True(
        bytes >= summary.Peak * StaysHigh,
        $"{summary.Variant}: only {bytes / MiB:F1} MiB {when}, under {StaysHigh:P0} of its peak of {summary.Peak / MiB:F1} MiB above baseline");

    /// <summary>The variant's figures, also written to the test's output.</summary>
    private VariantSummary SummaryOf(Variant variant)
    {
        VariantSummary s = run.Summaries[variant.Name];
        output.WriteLine(
            $"{s.Variant}: baseline {s.BaselineBytes / MiB:F1} MiB; above it: peak {s.Peak / MiB:F1}, after 90 % {s.After90 / MiB:F1}, " +
            $"after all {s.AfterAll / MiB:F1}, after FreeOSMemory {s.AfterFreeOSMemory / MiB:F1}, end of idle {s.EndOfIdle / MiB:F1} MiB");
        return s;
    }
}
