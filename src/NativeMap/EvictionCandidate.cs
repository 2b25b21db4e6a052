namespace NativeMap;

/// <summary>An entry in the eviction pool: its score (higher is evicted first), where to find it, and what it was when
/// sampled (a candidate whose stamp or deadline changed since is dropped).</summary>
internal readonly record struct EvictionCandidate(long Score, int Shard, ulong Hash, nint Entry, uint Stamp, long Deadline);
