namespace NativeMap.CacheServer;

/// <summary>The Redis spellings (<c>maxmemory-policy</c> values) of the store's <see cref="EvictionPolicy"/>. The LFU
/// policies are not implemented: the store keeps an access time per entry, not a frequency.</summary>
internal static class EvictionPolicyNames
{
    /// <summary>The accepted names, in the order Redis lists them in its error message.</summary>
    public static readonly string[] All = ["volatile-lru", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-random", "noeviction"];

    public static string ToName(EvictionPolicy policy) => policy switch
    {
        EvictionPolicy.NoEviction => "noeviction",
        EvictionPolicy.AllKeysLru => "allkeys-lru",
        EvictionPolicy.AllKeysRandom => "allkeys-random",
        EvictionPolicy.VolatileLru => "volatile-lru",
        EvictionPolicy.VolatileRandom => "volatile-random",
        EvictionPolicy.VolatileTtl => "volatile-ttl",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out EvictionPolicy policy)
    {
        foreach (EvictionPolicy candidate in Enum.GetValues<EvictionPolicy>())
        {
            if (name.Equals(ToName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                policy = candidate;
                return true;
            }
        }

        policy = default;
        return false;
    }
}
