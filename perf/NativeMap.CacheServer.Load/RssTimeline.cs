using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NativeMap.CacheServer.Load;

/// <summary>One RSS sample of a server process, with the phase the driver had marked.</summary>
public readonly record struct RssSample(double Seconds, long RssBytes, string Phase);

/// <summary>
/// Samples a server's RSS every 100 ms on a background task while the driver marks phases; keeps the samples and the
/// time each phase began, for the chart, the CSV and the figures.
/// </summary>
public sealed class RssTimeline : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly ServerProcess _server;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<RssSample> _samples = [];
    private readonly List<(string Phase, double Seconds)> _phases = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile string _phase;

    public RssTimeline(ServerProcess server, string firstPhase)
    {
        _server = server;
        _phase = firstPhase;
        _phases.Add((firstPhase, 0));
        _loop = Task.Run(SampleLoopAsync);
    }

    public string Server => _server.Name;

    public IReadOnlyList<RssSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public IReadOnlyList<(string Phase, double Seconds)> Phases
    {
        get
        {
            lock (_samples)
            {
                return [.. _phases];
            }
        }
    }

    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Starts a phase now, with a sample at its start.</summary>
    public long Mark(string phase)
    {
        long rss = _server.ResidentBytes();
        lock (_samples)
        {
            _phase = phase;
            _phases.Add((phase, Now));
            _samples.Add(new RssSample(Now, rss, phase));
        }

        return rss;
    }

    /// <summary>Takes a sample now and returns it.</summary>
    public long Sample()
    {
        long rss = _server.ResidentBytes();
        lock (_samples)
        {
            _samples.Add(new RssSample(Now, rss, _phase));
        }

        return rss;
    }

    /// <summary>Samples until <paramref name="duration"/> has passed since the phase began or <paramref name="until"/>
    /// holds; returns the seconds it took, or null if the condition never held.</summary>
    public async Task<double?> WatchAsync(TimeSpan duration, Func<long, bool>? until = null)
    {
        double start = Now;
        while (Now - start < duration.TotalSeconds)
        {
            long rss = Sample();
            if (until is not null && until(rss))
            {
                return Now - start;
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>The samples as CSV rows: server, seconds, rss_mib, phase.</summary>
    public void AppendCsv(StringBuilder csv, string run)
    {
        foreach (RssSample sample in Samples)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{run},{Server},{sample.Seconds:F2},{sample.RssBytes / 1048576.0:F1},{sample.Phase}\n");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task SampleLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Sample();
            }
            catch (IOException)
            {
                return; // the process ended
            }

            await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
        }
    }
}
