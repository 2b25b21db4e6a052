namespace NativeMap.MemoryReturn;

/// <summary>
/// The life cycle, as phase labels (the CSV's <c>phase</c> column). The children run the <see cref="Steps"/> in lockstep:
/// the orchestrator starts a step in every child at once and starts the next only when all have finished it, so the
/// phases line up on the chart's time axis. A child that finishes a step early waits, still labelled with that step.
/// </summary>
public static class Phases
{
    /// <summary>The process is warmed up and holds no map; its RSS here is the baseline.</summary>
    public const string Baseline = "baseline";

    /// <summary>N random keys are inserted into an empty map created without a capacity hint.</summary>
    public const string Fill = "fill";

    /// <summary>90 % of the keys are removed, in an order unrelated to the insertion order.</summary>
    public const string Remove90 = "remove-90";

    /// <summary>The remaining 10 % are removed: the map is empty.</summary>
    public const string RemoveRest = "remove-rest";

    /// <summary>The map is let go: <c>Dispose()</c> for NativeMap; for Dictionary the reference is cleared and one
    /// <c>GC.Collect()</c> runs.</summary>
    public const string Drop = "drop";

    /// <summary>Only in <c>nativemap-freeosmemory</c>: from the <c>FreeOSMemory()</c> call (made right after the drop)
    /// to the end of the drop step.</summary>
    public const string FreeOSMemory = "free-os-memory";

    /// <summary>Nothing happens; the scavenger, if on, returns the pages after the decay.</summary>
    public const string Idle = "idle";

    /// <summary>The steps every child runs, in order.</summary>
    public static IReadOnlyList<string> Steps { get; } = [Baseline, Fill, Remove90, RemoveRest, Drop, Idle];

    /// <summary>The step a phase belongs to: <see cref="FreeOSMemory"/> is part of <see cref="Drop"/>.</summary>
    public static string StepOf(string phase) => phase == FreeOSMemory ? Drop : phase;

    /// <summary>A label for the chart and the console.</summary>
    public static string Title(string phase) => phase switch
    {
        Baseline => "baseline",
        Fill => "fill",
        Remove90 => "remove 90 %",
        RemoveRest => "remove rest",
        Drop => "drop",
        FreeOSMemory => "FreeOSMemory()",
        Idle => "idle",
        _ => phase,
    };
}
