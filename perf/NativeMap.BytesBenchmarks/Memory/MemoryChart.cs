using ScottPlot;
using SkiaSharp;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>
/// The memory chart: one panel per variant (each ran alone, so each has its own time axis), stacked, with the same RSS
/// scale: RSS (solid) and GC heap (dashed) in MiB over time, the phases shaded and named.
/// </summary>
public static class MemoryChart
{
    private const int Width = 1500;
    private const int PanelHeight = 380;
    private const double MiB = 1024.0 * 1024.0;

    private static readonly Dictionary<string, string> s_phaseNames = new()
    {
        ["baseline"] = "baseline",
        ["fill"] = "fill",
        ["gen2"] = "full GCs",
        ["delete90"] = "delete 90 %",
        ["compact"] = "compact",
        ["decay"] = "decay",
        ["clear"] = "clear",
        ["decay2"] = "decay",
    };

    public static void Write(string path, IReadOnlyList<VariantRun> runs, MemorySettings settings)
    {
        double top = runs.SelectMany(r => r.Samples).Max(s => Math.Max(s.Rss, s.GcHeap)) / MiB * 1.15;
        double end = runs.Max(r => r.Samples[^1].Seconds);
        using var surface = SKSurface.Create(new SKImageInfo(Width, PanelHeight * runs.Count));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < runs.Count; i++)
        {
            // A plot renders over its whole canvas: give each panel a clipped, translated one of its own.
            Plot plot = Panel(runs[i], settings, top, end, first: i == 0);
            surface.Canvas.Save();
            surface.Canvas.Translate(0, PanelHeight * i);
            surface.Canvas.ClipRect(new SKRect(0, 0, Width, PanelHeight));
            plot.Render(surface.Canvas, Width, PanelHeight);
            surface.Canvas.Restore();
        }

        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }

    private static Plot Panel(VariantRun run, MemorySettings settings, double top, double end, bool first)
    {
        var plot = new Plot();
        AddPhases(plot, run, top);
        double[] seconds = run.Samples.Select(s => s.Seconds).ToArray();
        var rss = plot.Add.ScatterLine(seconds, run.Samples.Select(s => s.Rss / MiB).ToArray(), Color.FromHex("#1F77B4"));
        rss.LineWidth = 2.5f;
        rss.LegendText = "RSS";
        var gc = plot.Add.ScatterLine(seconds, run.Samples.Select(s => s.GcHeap / MiB).ToArray(), Color.FromHex("#D62728"));
        gc.LineWidth = 2f;
        gc.LinePattern = LinePattern.Dashed;
        gc.LegendText = "GC heap";
        string heading = first
            ? $"{settings.Count:N0} keys (16-40 B) × {settings.ValueSize:N0} B values, delete 90 % scattered, decay {settings.Decay.TotalSeconds:G} s — {run.Variant.Legend}"
            : run.Variant.Legend;
        plot.Title(heading, size: 15);
        plot.YLabel("MiB", size: 13);
        plot.XLabel("seconds since the child started", size: 12);
        plot.Axes.SetLimits(0, end * 1.01, 0, top);
        plot.Legend.FontSize = 12;
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Shades each phase and names it near the top.</summary>
    private static void AddPhases(Plot plot, VariantRun run, double top)
    {
        int index = 0;
        foreach (var group in Spans(run.Samples))
        {
            var shade = plot.Add.HorizontalSpan(group.Start, group.End, (index++ % 2 == 0 ? Colors.Gray : Colors.SteelBlue).WithAlpha(0.12));
            shade.LineWidth = 0;
            // Phases can be short: stagger the names over three rows so that neighbours do not overlap.
            var label = plot.Add.Text(s_phaseNames.GetValueOrDefault(group.Phase, group.Phase), group.Start, top * (0.97 - (0.07 * ((index - 1) % 3))));
            label.LabelFontSize = 12;
            label.LabelAlignment = Alignment.UpperLeft;
            label.OffsetX = 2;
            label.LabelFontColor = Colors.Black.WithAlpha(0.75);
        }
    }

    private static IEnumerable<(string Phase, double Start, double End)> Spans(List<MemorySample> samples)
    {
        int start = 0;
        for (int i = 1; i <= samples.Count; i++)
        {
            if (i == samples.Count || samples[i].Phase != samples[start].Phase)
            {
                double begin = start == 0 ? 0 : samples[start - 1].Seconds;
                yield return (samples[start].Phase, begin, samples[i - 1].Seconds);
                start = i;
            }
        }
    }
}
