using System.Diagnostics;
using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// Samples the process's RSS and the heap's figures on a thread of its own, every interval, labelled with the current
/// phase; <see cref="SampleNow"/> adds a sample at once (at the end of each step). Samples go to a sink one at a time,
/// in time order.
/// </summary>
public sealed class Sampler : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly TimeSpan _interval;
    private readonly Func<HeapStats?> _heapStats;
    private readonly Action<Sample> _sink;
    private readonly Thread _thread;

    // Read by the sampling thread, written by the thread running the life cycle.
    private volatile string _phase = Phases.Baseline;

    public Sampler(TimeSpan interval, Func<HeapStats?> heapStats, Action<Sample> sink)
    {
        _interval = interval;
        _heapStats = heapStats;
        _sink = sink;
        _thread = new Thread(Run) { Name = "rss-sampler", IsBackground = true };
    }

    /// <summary>The label of the samples from now on.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts the clock (time zero of the samples) and the sampling thread.</summary>
    public void Start()
    {
        _clock.Start();
        _thread.Start();
    }

    /// <summary>Takes a sample now.</summary>
    public Sample SampleNow()
    {
        lock (_lock)
        {
            // RSS first, then the heap: the heap's figures are the cheaper and the less likely to move in between.
            long rss = ProcessMemory.GetResidentBytes();
            HeapStats? heap = _heapStats();
            var sample = new Sample(_clock.Elapsed.TotalSeconds, _phase, rss, heap?.InUseBytes, heap?.IdleBytes, heap?.ReleasedBytes);
            _sink(sample);
            return sample;
        }
    }

    /// <summary>Stops the sampling thread and waits for it.</summary>
    public void Dispose()
    {
        _stop.Set();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(_interval))
        {
            SampleNow();
        }
    }
}
