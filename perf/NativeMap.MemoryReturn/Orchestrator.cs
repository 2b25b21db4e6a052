using System.Diagnostics;
using System.Globalization;

namespace NativeMap.MemoryReturn;

/// <summary>
/// Runs the experiment: one child process per variant, stepped through the life cycle in lockstep, then the CSV, the
/// chart and the summary from the samples they sent.
/// </summary>
public static class Orchestrator
{
    /// <summary>How long a child may take to start and warm up.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long any one step but the idle may take: generous, for 200 M keys on a loaded machine.</summary>
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(15);

    public static async Task<int> RunAsync(RunSettings settings, IReadOnlyList<string> arguments, TextWriter console)
    {
        var wall = Stopwatch.StartNew();
        MachineInfo machine = MachineInfo.Current();
        console.WriteLine(F($"NativeMap.MemoryReturn: N = {settings.Count:N0}, decay {settings.DescribeDecay()}, idle {RunSettings.Seconds(settings.Idle)}{(settings.Quick ? ", --quick" : "")}"));
        console.WriteLine($"machine: {machine}");
        console.WriteLine($"variants: {string.Join(", ", Variant.All.Select(v => v.Name))}, each in a child process of its own, in lockstep");
        Directory.CreateDirectory(settings.OutputDirectory);

        var children = new List<ChildProcess>();
        try
        {
            foreach (Variant variant in Variant.All)
            {
                children.Add(ChildProcess.Start(variant, settings, console));
            }

            await Task.WhenAll(children.Select(c => c.WaitForAsync(ChildProtocol.Ready, s_startTimeout))).ConfigureAwait(false);
            foreach (string step in Phases.Steps)
            {
                foreach (ChildProcess child in children)
                {
                    child.Go(step);
                }

                TimeSpan timeout = step == Phases.Idle ? settings.Idle + RunSettings.IdleExtensionLimit + TimeSpan.FromMinutes(1) : s_stepTimeout;
                string[] done = await Task.WhenAll(children.Select(c => c.WaitForAsync(step, timeout))).ConfigureAwait(false);
                console.WriteLine(F($"  {Phases.Title(step),-12} ") + string.Join(" · ", children.Zip(done, (c, line) =>
                    F($"{c.Variant.Name} {ChildProtocol.ParseDone(line[ChildProtocol.DonePrefix.Length..]).Took.TotalSeconds:F2} s"))));
            }

            await Task.WhenAll(children.Select(c => c.WaitForExitAsync(TimeSpan.FromMinutes(1)))).ConfigureAwait(false);
            var timelines = children.Select(c => new VariantTimeline(c.Variant.Name, c.Samples)).ToList();
            var notes = children.SelectMany(c => c.Notes.Select(note => $"{c.Variant.Name}: {note}")).ToList();
            WriteResults(settings, machine, arguments, timelines, notes, console);
        }
        finally
        {
            foreach (ChildProcess child in children)
            {
                child.Dispose();
            }
        }

        console.WriteLine(F($"done in {wall.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    private static void WriteResults(
        RunSettings settings, MachineInfo machine, IReadOnlyList<string> arguments, IReadOnlyList<VariantTimeline> timelines,
        IReadOnlyList<string> notes, TextWriter console)
    {
        string csv = Path.Combine(settings.OutputDirectory, TimelineCsv.FileName);
        string png = Path.Combine(settings.OutputDirectory, RssChart.FileName);
        string markdown = Path.Combine(settings.OutputDirectory, SummaryReport.FileName);

        TimelineCsv.Write(csv, timelines);
        var summaries = timelines.Select(VariantSummary.From).ToList();
        RssChart.Write(png, timelines, PhaseSpan.From(timelines), settings);
        File.WriteAllText(markdown, SummaryReport.Markdown(summaries, settings, machine, arguments, notes, DateTimeOffset.UtcNow));

        console.WriteLine();
        console.WriteLine("RSS in MiB above each child's baseline (baseline RSS in MiB):");
        console.WriteLine();
        console.Write(SummaryReport.Table(summaries));
        console.WriteLine();
        console.WriteLine($"wrote {csv}");
        console.WriteLine($"      {png}");
        console.WriteLine($"      {markdown}");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
