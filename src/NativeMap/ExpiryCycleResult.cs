namespace NativeMap;

/// <summary>What one active-expiry cycle (<see cref="ConcurrentNativeBytesMap.RemoveExpired"/>) did.</summary>
/// <param name="Sampled">Entries with a deadline that were looked at.</param>
/// <param name="Expired">Entries removed because their deadline had passed.</param>
/// <param name="TimedOut">The cycle stopped at its time budget before visiting every shard.</param>
public readonly record struct ExpiryCycleResult(int Sampled, int Expired, bool TimedOut);
