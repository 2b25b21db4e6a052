namespace NativeMap;

/// <summary>A snapshot of a <see cref="ConcurrentNativeBytesMap"/>'s counters, summed over its shards without stopping
/// them (so under concurrent writes the figures are each exact per shard, not one instant's).</summary>
public readonly record struct StoreStatistics
{
    /// <summary>Entries (expired ones not yet removed included).</summary>
    public long Count { get; init; }

    /// <summary>Entries with a deadline.</summary>
    public long VolatileCount { get; init; }

    /// <summary>Sum of the key lengths.</summary>
    public long KeyBytes { get; init; }

    /// <summary>Sum of the value lengths (headers included).</summary>
    public long ValueBytes { get; init; }

    /// <summary>Heap bytes the store's maps hold: entry blocks, bucket arrays, overflow buckets.</summary>
    public long UsedBytes { get; init; }

    /// <summary>Reads that found their key.</summary>
    public long Hits { get; init; }

    /// <summary>Reads that did not (an expired key counts as a miss).</summary>
    public long Misses { get; init; }

    /// <summary>Entries removed because their deadline passed, lazily on access or by the active cycle.</summary>
    public long Expired { get; init; }

    /// <summary>Entries evicted to stay under the memory limit.</summary>
    public long Evicted { get; init; }
}
