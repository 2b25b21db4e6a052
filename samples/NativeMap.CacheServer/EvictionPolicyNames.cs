namespace NativeMap.CacheServer;

/// <summary>The Redis spellings of <see cref="EvictionPolicy"/> (<c>maxmemory-policy</c> values).</summary>
internal static class EvictionPolicyNames
{
    /// <summary>The accepted names, in the order an error message lists them.</summary>
    public static readonly string[] All = ["allkeys-lru", "allkeys-random", "volatile-ttl", "noeviction"];

    public static string ToName(EvictionPolicy policy) => policy switch
    {
        EvictionPolicy.NoEviction => "noeviction",
        EvictionPolicy.AllKeysLru => "allkeys-lru",
        EvictionPolicy.AllKeysRandom => "allkeys-random",
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
