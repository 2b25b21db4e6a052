using ScottPlot;

namespace NativeMap.MemoryReturn;

/// <summary>
/// <c>memory-return.png</c>: RSS over time, one line per variant; the lockstep phases as shaded spans with their names
/// at the top; the end of the decay after the drop as a dotted line; the <c>FreeOSMemory()</c> call as a marker.
/// </summary>
public static class RssChart
{
    public const string FileName = "memory-return.png";

    private const int Width = 1500;
    private const int Height = 850;

    /// <summary>Roughly the width of the data area in pixels.</summary>
    private const double DataWidthPixels = 1400;

    /// <summary>The y axis reaches this many times the highest RSS: the labels live in the headroom, where no line is.</summary>
    private const double Headroom = 1.3;

    /// <summary>The height of a row of labels, as a fraction of the y axis.</summary>
    private const double LabelRow = 0.045;

    /// <summary>Rows of labels that fit in the headroom (1 − 1/<see cref="Headroom"/> ≈ 0.23 of the axis).</summary>
    private const int LabelRows = 4;

    /// <summary>Roughly the width of one character of a phase label, in pixels, at <see cref="LabelFontSize"/>.</summary>
    private const double LabelCharPixels = 8;

    private const float LabelFontSize = 14;
    private const double MiB = 1024.0 * 1024.0;

    private static readonly Dictionary<string, Color> s_colors = new()
    {
        [Variant.Dictionary.Name] = Color.FromHex("#D62728"),
        [Variant.Scavenger.Name] = Color.FromHex("#1F77B4"),
        [Variant.NoScavenger.Name] = Color.FromHex("#FF7F0E"),
        [Variant.FreeOSMemory.Name] = Color.FromHex("#2CA02C"),
    };

    public static void Write(string path, IReadOnlyList<VariantTimeline> timelines, IReadOnlyList<PhaseSpan> spans, RunSettings settings)
    {
        var plot = new Plot();
        double top = timelines.SelectMany(t => t.Samples).Max(s => s.RssBytes) / MiB * Headroom;
        double end = spans[^1].End;

        int rowsUsed = AddPhaseSpans(plot, spans, top);
        AddDecayLine(plot, spans, settings, top, Math.Min(rowsUsed, LabelRows - 1));

        // Drawn last variant first, so that where lines coincide (the three NativeMap variants until the drop) the
        // dashed no-scavenger line lies over the FreeOSMemory one and the scavenger line over both. The legend keeps
        // the variants' own order.
        var legend = new Dictionary<string, IEnumerable<LegendItem>>();
        foreach (VariantTimeline timeline in timelines.Reverse())
        {
            Color color = s_colors.GetValueOrDefault(timeline.Variant, Colors.Black);
            var line = plot.Add.ScatterLine(
                timeline.Samples.Select(s => s.Seconds).ToArray(), timeline.Samples.Select(s => s.RssBytes / MiB).ToArray(), color);
            line.LegendText = Variant.Find(timeline.Variant)?.Legend ?? timeline.Variant;
            line.LineWidth = 2.5f;
            if (timeline.Variant == Variant.NoScavenger.Name)
            {
                line.LinePattern = LinePattern.Dashed;
            }

            legend[timeline.Variant] = line.LegendItems;
            // The last sample of the phase is the one taken after the call returned (one taken during it may show
            // RSS halfway down).
            if (timeline.LastIn(Phases.FreeOSMemory) is { } afterCall)
            {
                AddFreeOSMemoryMarker(plot, afterCall, color);
            }
        }

        string quick = settings.Quick ? "--quick run: " : "";
        plot.Title($"RSS of each variant's own process: fill {settings.Count:N0} random long keys, remove 90 %, remove the rest, drop, idle" +
            $"{Environment.NewLine}{quick}scavenger decay {settings.DescribeDecay()}", size: 17);
        plot.XLabel("time since the baseline phase started (s)", size: 15);
        plot.YLabel("RSS of the process (MiB)", size: 15);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.SetLimits(0, end * 1.01, 0, top);

        plot.Legend.DisplayPlottableLegendItems = false;
        plot.Legend.ManualItems.AddRange(timelines.SelectMany(t => legend[t.Variant]));
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// Shades every step and names it at the top. A name that fits its span is centred in it; the names of narrower
    /// spans start at the span's left edge, each a row lower than the previous narrow one, so none overlaps.
    /// </summary>
    /// <returns>How many rows of labels were used.</returns>
    private static int AddPhaseSpans(Plot plot, IReadOnlyList<PhaseSpan> spans, double top)
    {
        double secondsPerPixel = spans[^1].End / DataWidthPixels;
        int row = 0;
        int rows = 1;
        for (int i = 0; i < spans.Count; i++)
        {
            PhaseSpan span = spans[i];
            var shade = plot.Add.HorizontalSpan(span.Start, span.End, (i % 2 == 0 ? Colors.Gray : Colors.SteelBlue).WithAlpha(0.12));
            shade.LineWidth = 0;
            if (i > 0)
            {
                var edge = plot.Add.VerticalLine(span.Start, 1, Colors.Gray.WithAlpha(0.6), LinePattern.Dotted);
                edge.ExcludeFromLegend = true;
            }

            string name = Phases.Title(span.Step);
            double nameSeconds = (name.Length + 2) * LabelCharPixels * secondsPerPixel;
            bool fits = span.End - span.Start >= nameSeconds;
            row = fits ? 0 : Math.Min(row + 1, LabelRows - 1);
            rows = Math.Max(rows, row + 1);
            var label = plot.Add.Text(name, fits ? (span.Start + span.End) / 2 : span.Start, top * (0.99 - (LabelRow * row)));
            label.LabelFontSize = LabelFontSize;
            label.LabelFontColor = Colors.Black.WithAlpha(0.8);
            label.LabelAlignment = fits ? Alignment.UpperCenter : Alignment.UpperLeft;
            label.OffsetX = fits ? 0 : 3;
        }

        return rows;
    }

    /// <summary>A dashed line where the decay ends, counted from the drop, labelled in the first free row.</summary>
    private static void AddDecayLine(Plot plot, IReadOnlyList<PhaseSpan> spans, RunSettings settings, double top, int row)
    {
        double x = spans.First(s => s.Step == Phases.Drop).Start + settings.Decay.TotalSeconds;
        if (x > spans[^1].End)
        {
            return;
        }

        var line = plot.Add.VerticalLine(x, 1.5f, Colors.Black.WithAlpha(0.7), LinePattern.Dashed);
        line.ExcludeFromLegend = true;
        var label = plot.Add.Text($"drop + decay ({RunSettings.Seconds(settings.Decay)})", x, top * (0.99 - (LabelRow * row)));
        label.LabelFontSize = 13;
        label.LabelFontColor = Colors.Black.WithAlpha(0.8);
        label.LabelAlignment = Alignment.UpperLeft;
        label.OffsetX = 4;
    }

    private static void AddFreeOSMemoryMarker(Plot plot, Sample afterCall, Color color)
    {
        var marker = plot.Add.Marker(afterCall.Seconds, afterCall.RssBytes / MiB, MarkerShape.FilledCircle, 10, color);
        marker.LegendText = "";
        var label = plot.Add.Text("after FreeOSMemory()", afterCall.Seconds, afterCall.RssBytes / MiB);
        label.LabelFontSize = 13;
        label.LabelFontColor = color;
        label.LabelAlignment = Alignment.LowerLeft;
        label.OffsetX = 6;
        label.OffsetY = -6;
    }
}
