namespace NativeMap.MemoryReturn;

/// <summary>
/// When a step ran, on the shared time axis of the children. The children run the steps in lockstep and keep
/// sampling while they wait for the others, so a step ends at the last sample any child took in it, and the next starts
/// there.
/// </summary>
public sealed record PhaseSpan(string Step, double Start, double End)
{
    public static IReadOnlyList<PhaseSpan> From(IReadOnlyList<VariantTimeline> timelines)
    {
        var spans = new List<PhaseSpan>();
        double start = 0;
        foreach (string step in Phases.Steps)
        {
            double end = timelines
                .SelectMany(t => t.Samples)
                .Where(s => Phases.StepOf(s.Phase) == step)
                .Select(s => s.Seconds)
                .DefaultIfEmpty(start)
                .Max();
            spans.Add(new PhaseSpan(step, start, end));
            start = end;
        }

        return spans;
    }
}
