using System.Diagnostics;
using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>
/// The background scavenger: a named, below-normal-priority background thread that returns free pages to the OS once
/// they have been free for the decay, enforces the memory limit, and drains caches of idle or dead threads.
/// </summary>
/// <remarks>
/// <para>A <i>cycle</i> (<see cref="RunCycle"/>) does, in order: maintenance when due (drain caches of dead threads and
/// caches idle since the last pass; free retained empty spans); the memory limit (release the excess, oldest first,
/// unpaced); the decay (release eligible pages for at most <see cref="ScavengePolicy.WorkSlice"/>); and returns how
/// long to sleep (<see cref="ScavengePolicy"/>). Every release goes through <see cref="PageHeap.TakeReleaseRun"/> /
/// <see cref="PageHeap.ReturnReleaseRun"/>, so the OS call is made without the heap lock.</para>
/// <para>The thread sleeps on a timer of the heap's <see cref="TimeProvider"/>; with nothing to do it sleeps until woken:
/// by <see cref="NotifyIdle"/> when a span is freed, <see cref="NotifyOverLimit"/> when the heap grows past the limit,
/// or <see cref="NotifyCacheActivity"/> when a thread cache starts holding blocks. Each notification is a volatile read
/// unless the thread is asleep with nothing scheduled.</para>
/// <para>Cycles are serialised by <see cref="_cycleLock"/>, so a test may run one directly (with a fake clock and the
/// thread not started) without sleeping.</para>
/// </remarks>
internal sealed class Scavenger : IDisposable
{
    /// <summary>A cutoff that admits any page (one less than <see cref="long.MaxValue"/>, which marks "no dirty page").</summary>
    private const long AnyTime = long.MaxValue - 1;

    private readonly HeapCore _heap;
    private readonly PageHeap _pages;
    private readonly HeapClock _clock;
    private readonly SpanHeapOptions _options;
    private readonly Lock _cycleLock = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly long _maintenanceTicks;
    private Thread? _thread;
    private ITimer? _timer;
    private volatile bool _stopping;

    /// <summary>1 while the thread sleeps with no timer set: the only time notifications must wake it.</summary>
    private int _sleepingIndefinitely;

    /// <summary>1 after an over-limit wake was signalled and before the next cycle starts.</summary>
    private int _limitSignalPending;

    private long _nextMaintenance;

    /// <summary>When the trace last read the kernel's huge page count (<see cref="Stopwatch"/> ticks), and what it read:
    /// reading /proc/self/smaps costs about a millisecond, so a trace line reuses a reading up to a second old.</summary>
    private long _residencyReadAt;
    private long _tracedHugePageBytes = -1;
    private long _cycles;
    private long _wakeups;

    public Scavenger(HeapCore heap, PageHeap pages, HeapClock clock, SpanHeapOptions options)
    {
        _heap = heap;
        _pages = pages;
        _options = options;
        _clock = clock;
        _maintenanceTicks = ScavengePolicy.ToTicks(ScavengePolicy.MaintenanceInterval(options.ScavengeDecay), clock.Frequency);
        _nextMaintenance = clock.Now() + _maintenanceTicks;
    }

    /// <summary>Cycles that released memory.</summary>
    public long Cycles => Interlocked.Read(ref _cycles);

    /// <summary>Times the thread has woken (for tests: an idle heap must not wake it).</summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>Whether the thread sleeps with nothing scheduled (for tests).</summary>
    public bool IsAsleepIndefinitely => Volatile.Read(ref _sleepingIndefinitely) != 0;

    /// <summary>Whether the background thread runs.</summary>
    public bool IsRunning => _thread is not null;

    /// <summary>Starts the background thread.</summary>
    public void Start()
    {
        _timer = _clock.Provider.CreateTimer(static state => ((AutoResetEvent)state!).Set(), _wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _thread = new Thread(Run)
        {
            Name = $"SpanHeap scavenger ({_heap.Name})",
            IsBackground = true,
            Priority = ThreadPriority.BelowNormal,
        };
        _thread.Start();
    }

    /// <summary>A span was freed: wake the thread if it sleeps with nothing scheduled.</summary>
    public void NotifyIdle()
    {
        if (Volatile.Read(ref _sleepingIndefinitely) != 0 && Interlocked.Exchange(ref _sleepingIndefinitely, 0) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>A thread cache began holding blocks: same as <see cref="NotifyIdle"/>, so maintenance gets scheduled.</summary>
    public void NotifyCacheActivity() => NotifyIdle();

    /// <summary>Resident memory exceeded the limit: wake the thread now (once per cycle).</summary>
    public void NotifyOverLimit()
    {
        if (_thread is not null && Interlocked.Exchange(ref _limitSignalPending, 1) == 0)
        {
            _wake.Set();
        }
    }

    /// <summary>
    /// Runs one cycle now and returns what it released and how long the thread would sleep after it. Safe to call
    /// from any thread; cycles do not overlap.
    /// </summary>
    public CycleResult RunCycle()
    {
        lock (_cycleLock)
        {
            Volatile.Write(ref _limitSignalPending, 0);
            long now = _clock.Now();
            long frequency = _clock.Frequency;

            if (now >= _nextMaintenance)
            {
                _heap.Maintain(now - _maintenanceTicks);
                _nextMaintenance = now + _maintenanceTicks;
            }

            long limitBytes = ReleaseForLimit();
            long growthBytes = ReleaseForGrowth(); // no debt arises unless the scavenger releases by age

            long decayBytes = 0;
            bool moreWork = false;
            TimeSpan worked = TimeSpan.Zero;
            if (_options.ScavengerEnabled)
            {
                long cutoff = ScavengePolicy.DecayCutoff(now, _options.ScavengeDecay, frequency);
                long started = Stopwatch.GetTimestamp();
                while (_pages.TakeReleaseRun(cutoff, PageHeap.ChunkPages, oldestOnly: false) is { IsNull: false } run)
                {
                    bool released = _pages.ReleaseToOs(run);
                    decayBytes += _pages.ReturnReleaseRun(run, released, PageHeap.ReleaseReason.Decay);
                    worked = Stopwatch.GetElapsedTime(started);
                    if (!released || worked >= ScavengePolicy.WorkSlice)
                    {
                        moreWork = true;
                        break;
                    }
                }
            }

            if (limitBytes + growthBytes + decayBytes > 0)
            {
                Interlocked.Increment(ref _cycles);
                Trace(decayBytes, limitBytes, growthBytes);
            }

            TimeSpan delay = moreWork
                ? ScavengePolicy.PacingSleep(worked, _options.ScavengerCpuPercent)
                : ScavengePolicy.NextDelay(_clock.Now(), _pages.OldestDirtyTimestamp(), _options.ScavengeDecay,
                    _options.ScavengerEnabled, _heap.HasCachedBlocks(), _nextMaintenance, frequency);
            return new CycleResult(decayBytes, limitBytes, delay) { GrowthBytes = growthBytes };
        }
    }

    /// <summary>Releases resident pages above the memory limit, oldest first. Returns the bytes released.</summary>
    public long ReleaseForLimit() => ReleaseOldest(static pages => pages.ExcessPages, PageHeap.ReleaseReason.Limit, out _);

    /// <summary>Releases the idle pages owed for heap growth, oldest first, unpaced. Returns the bytes released.</summary>
    public long ReleaseForGrowth()
    {
        long released = ReleaseOldest(static pages => pages.GrowthDebtPages, PageHeap.ReleaseReason.Growth, out bool stuck);
        if (stuck)
        {
            _pages.ForgiveGrowthDebt(); // nothing releasable, or the OS refused: retrying at once would spin
        }

        return released;
    }

    /// <summary>Releases idle pages oldest first, whatever their age, while <paramref name="owed"/> says pages are owed.
    /// <paramref name="stuck"/>: it stopped with pages still owed (no releasable run, or the OS refused).</summary>
    private long ReleaseOldest(Func<PageHeap, long> owed, PageHeap.ReleaseReason reason, out bool stuck)
    {
        long total = 0;
        for (long pages = owed(_pages); pages > 0; pages = owed(_pages))
        {
            HeapSpan run = _pages.TakeReleaseRun(AnyTime, (int)Math.Min(pages, PageHeap.ChunkPages), oldestOnly: true);
            bool released = !run.IsNull && _pages.ReleaseToOs(run);
            if (!run.IsNull)
            {
                total += _pages.ReturnReleaseRun(run, released, reason);
            }

            if (!released)
            {
                stuck = true;
                return total;
            }
        }

        stuck = false;
        return total;
    }

    /// <summary>Stops the thread and waits for it (bounded: it never blocks for long).</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _ = _thread.Join(TimeSpan.FromSeconds(10));
        }

        _timer?.Dispose();
    }

    private void Run()
    {
        while (!_stopping)
        {
            TimeSpan delay;
            try
            {
                delay = RunCycle().Delay;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (delay == Timeout.InfiniteTimeSpan)
            {
                // Announce the indefinite sleep first, then look once more for work that arrived meanwhile: a
                // notifier either sees the flag (and wakes us) or its work is visible to this check.
                Interlocked.Exchange(ref _sleepingIndefinitely, 1);
                if (_pages.OldestDirtyTimestamp() != long.MaxValue || _heap.HasCachedBlocks() || _pages.OverLimit || _pages.HasGrowthDebt)
                {
                    Interlocked.Exchange(ref _sleepingIndefinitely, 0);
                    continue;
                }
            }
            else
            {
                _timer!.Change(delay, Timeout.InfiniteTimeSpan);
            }

            _wake.WaitOne();
            Interlocked.Increment(ref _wakeups);
            Volatile.Write(ref _sleepingIndefinitely, 0);
        }
    }

    private void Trace(long decayBytes, long limitBytes, long growthBytes)
    {
        if (_options.ScavengerTrace is not { } writer)
        {
            return;
        }

        HeapStats stats = _pages.Snapshot();
        long resident = stats.InUseBytes + stats.IdleBytes;
        if (_residencyReadAt == 0 || Stopwatch.GetElapsedTime(_residencyReadAt) >= TimeSpan.FromSeconds(1))
        {
            _tracedHugePageBytes = Residency.Read(_pages.ArenaRanges(), stats.HugePageAdvisedBytes).HugePageBytes;
            _residencyReadAt = Stopwatch.GetTimestamp();
        }

        double utilisation = resident == 0 ? 100 : 100.0 * stats.InUseBytes / resident;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"scav {_heap.Name}: {(decayBytes + limitBytes + growthBytes) >> 10} KiB released ({decayBytes >> 10} decay, {limitBytes >> 10} limit, {growthBytes >> 10} growth), " +
            $"{stats.ReleasedBytes >> 10} KiB released total, {stats.InUseBytes >> 10} KiB in use, {stats.IdleBytes >> 10} KiB idle, {utilisation:F0}% util, " +
            $"{_tracedHugePageBytes >> 10} KiB huge pages ({stats.HugePageAdvisedBytes >> 10} KiB advised)");
        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>What a cycle released and how long to sleep after it.</summary>
    public readonly record struct CycleResult(long DecayBytes, long LimitBytes, TimeSpan Delay)
    {
        /// <summary>Bytes released to pay for heap growth (<see cref="SpanHeapOptions.ReleaseOnGrowth"/>).</summary>
        public long GrowthBytes { get; init; }
    }
}
