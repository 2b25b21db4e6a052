namespace NativeMap.Allocator;

/// <summary>
/// The heap's clock: free times, retained-span ages and the scavenger's decisions are all in its units. With the system
/// time provider it reads <see cref="Environment.TickCount64"/> (milliseconds from <c>CLOCK_MONOTONIC_COARSE</c>: 4 ns
/// a read on the reference machine, against 21 ns for <see cref="TimeProvider.GetTimestamp"/>, and every span free
/// reads it; decays are seconds, so a few milliseconds of resolution is plenty). Any other provider — a test's fake
/// clock — is read as it is.
/// </summary>
internal sealed class HeapClock
{
    private readonly TimeProvider _provider;
    private readonly bool _coarse;

    public HeapClock(TimeProvider provider)
    {
        _provider = provider;
        _coarse = ReferenceEquals(provider, TimeProvider.System);
        Frequency = _coarse ? 1000 : provider.TimestampFrequency;
    }

    /// <summary>Ticks per second.</summary>
    public long Frequency { get; }

    /// <summary>The provider, for timers.</summary>
    public TimeProvider Provider => _provider;

    /// <summary>Now, in ticks.</summary>
    public long Now() => _coarse ? Environment.TickCount64 : _provider.GetTimestamp();
}
