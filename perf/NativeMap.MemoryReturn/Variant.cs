namespace NativeMap.MemoryReturn;

/// <summary>
/// One way of holding the map whose memory the run follows. Each variant runs the same life cycle in a child process of
/// its own, so that one variant's resident memory never shows in another's.
/// </summary>
/// <param name="Name">The name used on the command line, in the CSV and in the chart.</param>
/// <param name="Description">What the variant is, for the summary.</param>
/// <param name="UsesSpanHeap">True for <c>NativeMap</c> on a <c>SpanHeap</c> of its own; false for <c>Dictionary</c>.</param>
/// <param name="ScavengerEnabled">Whether the heap's background scavenger returns idle pages after the decay.</param>
/// <param name="FreeOSMemoryAfterDrop">Whether <c>SpanHeap.FreeOSMemory()</c> is called right after the drop.</param>
/// <param name="Legend">The chart's legend entry: the name and, briefly, what it is.</param>
public sealed record Variant(string Name, string Description, bool UsesSpanHeap, bool ScavengerEnabled, bool FreeOSMemoryAfterDrop, string Legend)
{
    public static Variant Dictionary { get; } = new(
        "dictionary", "`Dictionary<long,long>`; dropped with `dict = null` and one `GC.Collect()`", false, false, false,
        "dictionary (Dictionary<long,long>)");

    public static Variant Scavenger { get; } = new(
        "nativemap", "`NativeMap<long,long>` on its own `SpanHeap`, scavenger on; dropped with `Dispose()`", true, true, false,
        "nativemap (scavenger on)");

    public static Variant NoScavenger { get; } = new(
        "nativemap-noscavenger", "the same with `ScavengerEnabled = false`", true, false, false,
        "nativemap-noscavenger (scavenger off)");

    public static Variant FreeOSMemory { get; } = new(
        "nativemap-freeosmemory", "scavenger off; `heap.FreeOSMemory()` right after `Dispose()`", true, false, true,
        "nativemap-freeosmemory (scavenger off, FreeOSMemory() after the drop)");

    /// <summary>Every variant, in the order of the CSV, the chart's legend and the summary table.</summary>
    public static IReadOnlyList<Variant> All { get; } = [Dictionary, Scavenger, NoScavenger, FreeOSMemory];

    /// <summary>The variant of this name, or null.</summary>
    public static Variant? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}
