namespace NativeMap.Allocator;

/// <summary>
/// The scavenger's decisions as pure functions of the clock and the heap's figures, so tests can check them without a
/// thread and without sleeping (Go keeps its pacing arithmetic apart from <c>bgscavenge</c> for the same reason).
/// </summary>
/// <remarks>
/// <para><b>What is released.</b> A dirty page becomes eligible once it has been free for the decay:
/// <c>freedAt ≤ now − decay</c> (<see cref="DecayCutoff"/>). Above the memory limit, the excess is released at once,
/// oldest first, whatever the decay (<see cref="LimitPages"/>).</para>
/// <para><b>How fast.</b> Decay releases are paced to a CPU budget: after working for <c>w</c> (measured around the
/// OS calls), the scavenger sleeps <c>w · (100 / percent − 1)</c>, so its share of one core is <c>percent</c>
/// (<see cref="PacingSleep"/>). Each burst of work is cut at <see cref="WorkSlice"/>, so the sleeps are short and the
/// release is smooth. Limit releases are not paced: the limit is a promise to the operator.</para>
/// <para><b>When to wake.</b> With nothing eligible, the scavenger sleeps until the oldest dirty page becomes eligible,
/// or until the next maintenance pass when thread caches or central lists hold blocks, or indefinitely (an idle heap
/// costs no CPU: the next free wakes it) — <see cref="NextDelay"/>.</para>
/// </remarks>
internal static class ScavengePolicy
{
    /// <summary>The longest burst of release calls before the scavenger yields and sleeps to keep its budget.</summary>
    public static readonly TimeSpan WorkSlice = TimeSpan.FromMilliseconds(1);

    /// <summary>The shortest sleep: wakes closer together than this would cost more than they save.</summary>
    public static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(1);

    /// <summary>The shortest interval between maintenance passes (draining idle and dead threads' caches).</summary>
    public static readonly TimeSpan MinMaintenanceInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest interval between maintenance passes.</summary>
    public static readonly TimeSpan MaxMaintenanceInterval = TimeSpan.FromSeconds(10);

    /// <summary>Pages freed at or before this timestamp may be released.</summary>
    public static long DecayCutoff(long now, TimeSpan decay, long timestampFrequency) =>
        now - ToTicks(decay, timestampFrequency);

    /// <summary>Pages to release now for the memory limit: the resident pages above it, or 0.</summary>
    public static long LimitPages(long inUsePages, long idlePages, long? limitBytes) =>
        limitBytes is { } limit ? Math.Max(0, inUsePages + idlePages - (limit >> Pages.PageShift)) : 0;

    /// <summary>The sleep after <paramref name="work"/> of release calls that keeps the scavenger to
    /// <paramref name="cpuPercent"/> of one core.</summary>
    public static TimeSpan PacingSleep(TimeSpan work, double cpuPercent)
    {
        TimeSpan sleep = work * ((100.0 / cpuPercent) - 1.0);
        return sleep < MinSleep ? MinSleep : sleep;
    }

    /// <summary>How often caches are checked for idleness: the decay, clamped to [100 ms, 10 s].</summary>
    public static TimeSpan MaintenanceInterval(TimeSpan decay) =>
        decay < MinMaintenanceInterval ? MinMaintenanceInterval : decay > MaxMaintenanceInterval ? MaxMaintenanceInterval : decay;

    /// <summary>
    /// How long to sleep when no eligible work is left: until the oldest dirty page becomes eligible
    /// (<paramref name="oldestDirty"/> + decay), or until <paramref name="nextMaintenance"/> when
    /// <paramref name="blocksCached"/>, whichever is sooner; <see cref="Timeout.InfiniteTimeSpan"/> when neither.
    /// </summary>
    public static TimeSpan NextDelay(long now, long oldestDirty, TimeSpan decay, bool decayEnabled,
        bool blocksCached, long nextMaintenance, long timestampFrequency)
    {
        long wakeAt = long.MaxValue;
        if (decayEnabled && oldestDirty != long.MaxValue)
        {
            wakeAt = oldestDirty + ToTicks(decay, timestampFrequency);
        }

        if (blocksCached)
        {
            wakeAt = Math.Min(wakeAt, nextMaintenance);
        }

        if (wakeAt == long.MaxValue)
        {
            return Timeout.InfiniteTimeSpan;
        }

        TimeSpan delay = TimeSpan.FromSeconds((double)(wakeAt - now) / timestampFrequency);
        return delay < MinSleep ? MinSleep : delay;
    }

    /// <summary>Converts a duration to <see cref="HeapClock"/> ticks.</summary>
    public static long ToTicks(TimeSpan duration, long timestampFrequency) =>
        (long)(duration.TotalSeconds * timestampFrequency);
}
