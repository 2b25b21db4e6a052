namespace NativeMap;

/// <summary>What <see cref="ConcurrentNativeBytesMap"/> evicts when its used bytes exceed its memory limit (Redis's
/// <c>maxmemory-policy</c> values of the same names).</summary>
public enum EvictionPolicy
{
    /// <summary>Evict nothing; the owner refuses writes over the limit (<see cref="ConcurrentNativeBytesMap.IsOverMemoryLimit"/>).</summary>
    NoEviction,

    /// <summary>The least recently used keys, approximated by sampling with a pool of the best candidates, as Redis does.</summary>
    AllKeysLru,

    /// <summary>Random keys.</summary>
    AllKeysRandom,

    /// <summary>The least recently used keys among those with a deadline.</summary>
    VolatileLru,

    /// <summary>Random keys among those with a deadline.</summary>
    VolatileRandom,

    /// <summary>The keys with the nearest deadline.</summary>
    VolatileTtl,
}
