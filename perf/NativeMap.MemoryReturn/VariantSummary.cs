namespace NativeMap.MemoryReturn;

/// <summary>
/// The figures of one variant that the summary table shows, read off its timeline. Every figure but
/// <see cref="BaselineBytes"/> is RSS above the child's baseline, in bytes.
/// </summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="BaselineBytes">RSS at the end of the baseline phase, just before the fill: the runtime, the warmed-up
/// code, no map.</param>
/// <param name="Peak">The highest RSS of the run.</param>
/// <param name="After90">At the end of the remove-90 phase.</param>
/// <param name="AfterAll">At the end of the remove-rest phase: the map is empty but not yet dropped.</param>
/// <param name="AfterFreeOSMemory">At the end of the free-os-memory phase (right after the call and until the idle
/// starts); null for the variants that do not call it.</param>
/// <param name="EndOfIdle">The last sample: after the decay.</param>
/// <param name="IdleSeconds">How long the idle phase lasted.</param>
/// <param name="ReturnedAfterSeconds">Seconds from the drop (the last sample before it) until RSS above baseline first
/// fell to <see cref="ReturnedFraction"/> of <see cref="Peak"/> or below; null if it never did.</param>
public sealed record VariantSummary(
    string Variant, long BaselineBytes, long Peak, long After90, long AfterAll, long? AfterFreeOSMemory, long EndOfIdle,
    double IdleSeconds, double? ReturnedAfterSeconds)
{
    /// <summary>"Returned" means back to within this fraction of the peak above baseline: 10 %.</summary>
    public const double ReturnedFraction = 0.10;

    /// <summary>Reads the figures off a complete timeline.</summary>
    /// <exception cref="FormatException">A phase is missing: the run did not finish.</exception>
    public static VariantSummary From(VariantTimeline timeline)
    {
        long baseline = Required(timeline, Phases.Baseline).RssBytes;
        long peak = timeline.Samples.Max(s => s.RssBytes) - baseline;
        Sample beforeDrop = Required(timeline, Phases.RemoveRest);
        Sample beforeIdle = timeline.LastIn(Phases.FreeOSMemory) ?? Required(timeline, Phases.Drop);
        Sample end = Required(timeline, Phases.Idle);

        double? returned = null;
        foreach (Sample sample in timeline.Samples)
        {
            if (sample.Seconds > beforeDrop.Seconds && sample.RssBytes - baseline <= peak * ReturnedFraction)
            {
                returned = sample.Seconds - beforeDrop.Seconds;
                break;
            }
        }

        return new VariantSummary(
            timeline.Variant,
            baseline,
            peak,
            Required(timeline, Phases.Remove90).RssBytes - baseline,
            beforeDrop.RssBytes - baseline,
            timeline.LastIn(Phases.FreeOSMemory)?.RssBytes - baseline,
            end.RssBytes - baseline,
            end.Seconds - beforeIdle.Seconds,
            returned);
    }

    private static Sample Required(VariantTimeline timeline, string phase) =>
        timeline.LastIn(phase) ?? throw new FormatException($"{timeline.Variant}: no sample in phase '{phase}'; the run did not finish");
}
