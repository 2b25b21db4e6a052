using System.Globalization;
using System.Text;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>The memory program's report: one row per variant, then the issue's targets with the measured figures.</summary>
public static class MemoryReport
{
    private const double MiB = 1024.0 * 1024.0;

    public static string Markdown(IReadOnlyList<VariantRun> runs, MemorySettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine(F($"## {settings.Count:N0} keys × {settings.ValueSize:N0} B values{(settings.Quick ? " (quick run)" : "")}"));
        text.AppendLine();
        text.AppendLine(F($"Keys of 16-40 ASCII bytes; delete 90 % = every key whose index is not a multiple of 10; scavenger decay {settings.Decay.TotalSeconds:G} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}, workstation GC. RSS in MiB above the child's baseline."));
        text.AppendLine();
        text.AppendLine("| variant | fill s | peak RSS | GC heap full | GC pauses in fill ms | forced gen2 ms | after delete | after compact | after decay | live K+V | decay / live | after clear + decay |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (VariantRun run in runs)
        {
            double baseline = run.Result("baseline_rss");
            double Up(string name) => (run.Result(name) - baseline) / MiB;
            double live = run.Result("live_bytes") / MiB;
            text.AppendLine(F($"| {run.Variant.Legend} | {run.Result("fill_seconds"):F1} | {Up("peak_rss"):F0} | {run.Result("fill_gc_heap") / MiB:F0} | {run.Result("fill_gc_pause_ms"):F0} | {run.Result("gen2_ms"):F1} | {Up("delete_rss"):F0} | {Up("compact_rss"):F0} | {Up("decay_rss"):F0} | {live:F0} | {Up("decay_rss") / live:F2}x | {Up("end_rss"):F0} ({Up("end_rss") * MiB / baseline * 100:F0} % of baseline {baseline / MiB:F0}) |"));
        }

        text.AppendLine();
        foreach (VariantRun run in runs)
        {
            foreach (string log in run.Logs)
            {
                text.AppendLine($"- {run.Variant.Name}: {log}");
            }
        }

        text.AppendLine();
        AppendTargets(text, runs);
        return text.ToString();
    }

    private static void AppendTargets(StringBuilder text, IReadOnlyList<VariantRun> runs)
    {
        VariantRun? dictionary = runs.FirstOrDefault(r => !r.Variant.Native);
        VariantRun? auto = runs.FirstOrDefault(r => r.Variant.Compaction == CompactionChoice.Automatic);
        VariantRun? explicitRun = runs.FirstOrDefault(r => r.Variant.Compaction == CompactionChoice.Explicit);
        text.AppendLine("| target | measured | met |");
        text.AppendLine("|---|---:|---|");
        static double Up(VariantRun run, string name) => run.Result(name) - run.Result("baseline_rss");
        if (dictionary is not null && auto is not null)
        {
            double gen2 = dictionary.Result("gen2_ms") / auto.Result("gen2_ms");
            text.AppendLine(F($"| forced full gen2 ≥ 20x shorter than Dictionary's | {gen2:F0}x ({dictionary.Result("gen2_ms"):F1} vs {auto.Result("gen2_ms"):F2} ms) | {Met(gen2 >= 20)} |"));
            double peak = Up(auto, "peak_rss") / Up(dictionary, "peak_rss");
            text.AppendLine(F($"| peak RSS ≤ 0.7x Dictionary's | {peak:F2}x | {Met(peak <= 0.7)} |"));
        }

        if (auto is not null)
        {
            double ratio = Up(auto, "decay_rss") / auto.Result("live_bytes");
            text.AppendLine(F($"| after the 90 % delete, automatic compaction + decay, no call: RSS growth ≤ 1.5x live K+V | {ratio:F2}x | {Met(ratio <= 1.5)} |"));
            double end = Up(auto, "end_rss") / auto.Result("baseline_rss");
            text.AppendLine(F($"| RSS back within 10 % of baseline after Clear + decay | +{end * 100:F1} % | {Met(end <= 0.10)} |"));
        }

        if (explicitRun is not null)
        {
            double ratio = Up(explicitRun, "compact_rss") / explicitRun.Result("live_bytes");
            text.AppendLine(F($"| Compact() + FreeOSMemory(): RSS growth ≤ 1.3x live K+V | {ratio:F2}x | {Met(ratio <= 1.3)} |"));
        }
    }

    private static string Met(bool met) => met ? "met" : "**not met**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
