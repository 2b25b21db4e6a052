namespace NativeMap.CacheServer;

/// <summary>
/// What the server does when a write would take used memory above <see cref="CacheServerOptions.MaxMemory"/>:
/// Redis's <c>maxmemory-policy</c> values that this server implements.
/// </summary>
public enum EvictionPolicy
{
    /// <summary><c>noeviction</c>: refuse writes that need memory with <c>-OOM</c>; reads and deletes still work.</summary>
    NoEviction,

    /// <summary><c>allkeys-lru</c>: evict the least recently used keys, approximated by sampling as Redis does.</summary>
    AllKeysLru,

    /// <summary><c>allkeys-random</c>: evict random keys.</summary>
    AllKeysRandom,

    /// <summary><c>volatile-ttl</c>: evict, among keys with a time to live, those that expire soonest.</summary>
    VolatileTtl,
}
