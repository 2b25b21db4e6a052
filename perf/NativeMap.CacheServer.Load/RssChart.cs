using ScottPlot;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// <c>cache-server-rss.png</c>: RSS over time of each server through load, DEL 90 % scattered, the wait after it, and
/// FLUSHALL; each server's phase boundaries as dotted lines in its colour, named at the top in its own row.
/// </summary>
public static class RssChart
{
    public const string FileName = "cache-server-rss.png";

    private const int Width = 1500;
    private const int Height = 850;
    private const double MiB = 1024.0 * 1024.0;
    private const double Headroom = 1.45;

    /// <summary>Rows of phase labels each server may use at the top of the chart.</summary>
    private const int RowsPerServer = 3;

    /// <summary>The height of a row of labels, as a fraction of the y axis.</summary>
    private const double LabelRow = 0.04;

    /// <summary>Roughly the width of the data area, and of one label character, in pixels.</summary>
    private const double DataWidthPixels = 1400;

    private const double LabelCharPixels = 7.5;

    private static readonly Color[] s_colors = [Color.FromHex("#1F77B4"), Color.FromHex("#D62728"), Color.FromHex("#2CA02C")];

    public static void Write(string path, IReadOnlyList<RssTimeline> timelines, string title)
    {
        var plot = new Plot();
        double top = timelines.SelectMany(t => t.Samples).Max(s => s.RssBytes) / MiB * Headroom;
        double end = timelines.SelectMany(t => t.Samples).Max(s => s.Seconds);
        for (int i = 0; i < timelines.Count; i++)
        {
            RssTimeline timeline = timelines[i];
            Color color = s_colors[i % s_colors.Length];
            IReadOnlyList<RssSample> samples = timeline.Samples;
            var line = plot.Add.ScatterLine(samples.Select(s => s.Seconds).ToArray(), samples.Select(s => s.RssBytes / MiB).ToArray(), color);
            line.LineWidth = 2.5f;
            line.LegendText = timeline.Server;
            // Each server's labels get rows of their own; a label that would run into the previous one in its row
            // moves down a row (up to RowsPerServer), so phases that follow each other closely stay readable.
            double[] rowEnds = new double[RowsPerServer];
            foreach ((string phase, double seconds) in timeline.Phases.Skip(1))
            {
                var edge = plot.Add.VerticalLine(seconds, 1, color.WithAlpha(0.6), LinePattern.Dotted);
                edge.ExcludeFromLegend = true;
                int row = 0;
                while (row < RowsPerServer - 1 && seconds < rowEnds[row])
                {
                    row++;
                }

                rowEnds[row] = seconds + ((phase.Length + 2) * LabelCharPixels * end / DataWidthPixels);
                var label = plot.Add.Text(phase, seconds, top * (0.99 - (LabelRow * ((i * RowsPerServer) + row))));
                label.LabelFontSize = 13;
                label.LabelFontColor = color;
                label.LabelAlignment = Alignment.UpperLeft;
                label.OffsetX = 3;
            }
        }

        plot.Title(title, size: 17);
        plot.XLabel("time since the server started (s)", size: 15);
        plot.YLabel("RSS of the server process (MiB)", size: 15);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.SetLimits(0, end * 1.01, 0, top);
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, Height);
    }
}
