namespace NativeMap.Caching.Benchmarks.Scale;

/// <summary>What one child process measured for one cache at one size. Throughputs in million operations per second.</summary>
public sealed record ScaleResult
{
    public required string Cache { get; init; }
    public required int Entries { get; init; }
    public required int ValueBytes { get; init; }
    public double FillMops { get; init; }
    public double Get1Mops { get; init; }
    public double Get2Mops { get; init; }
    public double Set1Mops { get; init; }
    public double Set2Mops { get; init; }

    /// <summary>GC heap bytes with the cache full, above the heap before the first entry (the harness holds no keys).</summary>
    public long ManagedHeapBytes { get; init; }

    /// <summary>Median wall time of three forced, blocking gen2 collections with the cache full.</summary>
    public double Gen2PauseMs { get; init; }

    /// <summary>Native heap bytes in use with the cache full (0 for the managed cache).</summary>
    public long NativeInUseBytes { get; init; }

    public long BaselineRssBytes { get; init; }

    /// <summary>GC committed bytes when the baseline RSS was read.</summary>
    public long BaselineGcCommittedBytes { get; init; }
    public long PeakRssBytes { get; init; }
    public long RssAfterRemoveBytes { get; init; }

    /// <summary>RSS at the end of the wait after removing everything (decay + 5 s, or when back within 10 % of baseline).</summary>
    public long RssAfterWaitBytes { get; init; }

    /// <summary>Seconds from the last removal until RSS was within 10 % of the baseline; -1: not within the wait.</summary>
    public double SecondsToBaseline { get; init; }

    /// <summary>GC committed bytes at the end of the wait (<c>GCMemoryInfo.TotalCommittedBytes</c>): what RSS holds for the GC.</summary>
    public long GcCommittedAfterWaitBytes { get; init; }

    /// <summary>The native heap's resident bytes (in use + idle) at the end of the wait (0 for the managed cache).</summary>
    public long NativeResidentAfterWaitBytes { get; init; }

    /// <summary>RSS after a further <c>GCCollectionMode.Aggressive</c> collection, which asks the GC to decommit what it can.</summary>
    public long RssAfterAggressiveGcBytes { get; init; }

    /// <summary>RSS right after removing nine entries in ten (every key whose index is not a multiple of 10: scattered
    /// over the heap's spans, since the fill went in random order).</summary>
    public long RssAfterThinBytes { get; init; }

    /// <summary>RSS at the end of the wait after the scattered removal (decay + 5 s, or once the native heap has packed its
    /// spans — automatic compaction, default settings — and released its idle pages).</summary>
    public long RssAfterThinWaitBytes { get; init; }

    /// <summary>Seconds that wait took (up to twice the decay + 10 s).</summary>
    public double SecondsThinWait { get; init; }

    /// <summary>Seconds from the end of the scattered removal until the native heap's spans were under 1.5 times the
    /// bytes in use in them; -1: never (the managed cache, or not within the wait).</summary>
    public double SecondsToPacked { get; init; } = -1;

    /// <summary>The native heap's small-block span bytes over the bytes in use in them at the end of that wait (1 is
    /// packed; 0 for the managed cache).</summary>
    public double SpanRatioAfterThinWait { get; init; }

    /// <summary>GC heap bytes (above the baseline) after the scattered removal and a full collection.</summary>
    public long ManagedHeapAfterThinBytes { get; init; }
}
