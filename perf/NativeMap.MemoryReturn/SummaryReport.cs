using System.Globalization;
using System.Text;

namespace NativeMap.MemoryReturn;

/// <summary>
/// <c>memory-return.md</c>: the table of <see cref="VariantSummary"/> figures with what each variant is, how the run was
/// made and on what machine; the same table goes to the console.
/// </summary>
public static class SummaryReport
{
    public const string FileName = "memory-return.md";

    private static readonly string[] s_columns =
    [
        "variant", "baseline RSS", "peak", "after 90 % removed", "after all removed", "after FreeOSMemory", "end of idle (after the decay)", "back within 10 % of peak",
    ];

    /// <summary>The table alone, as padded markdown (readable in a terminal as it is).</summary>
    public static string Table(IReadOnlyList<VariantSummary> summaries)
    {
        var rows = new List<string[]> { s_columns };
        foreach (VariantSummary s in summaries)
        {
            rows.Add(
            [
                s.Variant,
                MiB(s.BaselineBytes),
                MiB(s.Peak),
                MiB(s.After90),
                MiB(s.AfterAll),
                s.AfterFreeOSMemory is { } forced ? MiB(forced) : "—",
                MiB(s.EndOfIdle),
                s.ReturnedAfterSeconds is { } seconds ? F($"{seconds:F1} s after the drop") : "never",
            ]);
        }

        int[] widths = Enumerable.Range(0, s_columns.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var table = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            table.Append('|');
            for (int c = 0; c < widths.Length; c++)
            {
                string cell = c == 0 ? rows[r][c].PadRight(widths[c]) : rows[r][c].PadLeft(widths[c]);
                table.Append(' ').Append(cell).Append(" |");
            }

            table.Append('\n');
            if (r == 0)
            {
                table.Append('|');
                for (int c = 0; c < widths.Length; c++)
                {
                    table.Append(c == 0 ? new string('-', widths[c] + 2) : new string('-', widths[c] + 1) + ":").Append('|');
                }

                table.Append('\n');
            }
        }

        return table.ToString();
    }

    public static string Markdown(
        IReadOnlyList<VariantSummary> summaries, RunSettings settings, MachineInfo machine, IReadOnlyList<string> arguments,
        IReadOnlyList<string> notes, DateTimeOffset finished)
    {
        string command = "dotnet run -c Release --project perf/NativeMap.MemoryReturn" + (arguments.Count == 0 ? "" : " -- " + string.Join(' ', arguments));
        var text = new StringBuilder();
        text.Append(F($"""
            # Memory return: Dictionary<long,long> and NativeMap<long,long>

            N = {settings.Count:N0} random `long` keys per variant, inserted without a capacity hint; scavenger decay
            {settings.DescribeDecay()}; every child idles {RunSettings.Seconds(settings.Idle)} after the drop (the scavenger
            variant up to {RunSettings.Seconds(RunSettings.IdleExtensionLimit)} more, until its heap has at most 1 MiB of idle
            pages); RSS sampled every {RunSettings.SampleInterval.TotalMilliseconds:F0} ms.{(settings.Quick ? " **A --quick run: a smoke test, not figures to publish.**" : "")}

            RSS in MiB above each child process's own baseline (the baseline itself, RSS just before the fill, is the
            second column, in MiB):


            """));
        text.Append(Table(summaries));
        text.Append('\n');
        foreach (Variant variant in Variant.All)
        {
            text.Append(F($"- **{variant.Name}**: {variant.Description}.\n"));
        }

        text.Append(F($"""

            How to read it:
            - Each variant runs in a child process of its own, so one's memory never shows in another's RSS. The four run
              side by side in lockstep: each phase starts in all of them at once, and a child that finishes early waits,
              sampling, for the others. "After 90 % removed" and "after all removed" are read at the end of those phases.
            - `Dictionary` never shrinks: removing every key leaves its arrays as large as at the peak. Its drop runs one
              blocking `GC.Collect()` at once, which a real service would not do (without it the arrays stay live until
              the GC's next gen-2 collection). The collection does free them (the child's note below gives the GC heap's
              live bytes after it), but the GC keeps freed memory committed for reuse, so RSS need not fall: returning
              it takes `GC.Collect(2, GCCollectionMode.Aggressive, true, true)`.
            - `NativeMap` returns memory to its heap as it shrinks and when disposed; the heap keeps freed pages resident
              for the decay (warm for a map that refills soon), then its scavenger returns them to the OS. With the
              scavenger off they stay until `FreeOSMemory()`.
            - "Back within 10 % of peak": the time from the drop until RSS above baseline first fell to a tenth of the
              peak above baseline or below; "never" means not within this run.

            What the children reported:
            {string.Concat(notes.Select(note => Environment.NewLine + "- " + note))}

            Machine: {machine}.
            Run: `{command}`, finished {finished.UtcDateTime:yyyy-MM-dd HH:mm} UTC.

            ![RSS of each variant over time]({RssChart.FileName})

            """));
        return text.ToString();
    }

    private static string MiB(long bytes) => F($"{bytes / (1024.0 * 1024.0):F1}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
