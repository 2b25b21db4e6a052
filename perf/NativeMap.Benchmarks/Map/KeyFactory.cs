namespace NativeMap.Benchmarks.Map;

/// <summary>Random distinct keys of the benchmarked shapes, from a fixed seed so every run sees the same keys.</summary>
public static class KeyFactory
{
    /// <summary><paramref name="count"/> distinct random keys, then <paramref name="misses"/> more keys none of which is among them.</summary>
    public static (TKey[] Present, TKey[] Absent) Create<TKey>(int count, int misses, int seed = 20_260_101)
        where TKey : unmanaged
    {
        var random = new Random(seed);
        var seen = new HashSet<TKey>(count + misses);
        var present = new TKey[count];
        var absent = new TKey[misses];
        for (int i = 0; i < count; i++)
        {
            TKey key;
            do
            {
                key = Next<TKey>(random);
            }
            while (!seen.Add(key));
            present[i] = key;
        }

        for (int i = 0; i < misses; i++)
        {
            TKey key;
            do
            {
                key = Next<TKey>(random);
            }
            while (!seen.Add(key));
            absent[i] = key;
        }

        return (present, absent);
    }

    /// <summary>A copy of <paramref name="keys"/> in another random order (lookups should not follow insertion order).</summary>
    public static TKey[] Shuffled<TKey>(TKey[] keys, int seed = 7)
    {
        TKey[] copy = (TKey[])keys.Clone();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    private static TKey Next<TKey>(Random random)
        where TKey : unmanaged
    {
        if (typeof(TKey) == typeof(long))
        {
            return (TKey)(object)random.NextInt64();
        }

        if (typeof(TKey) == typeof(int))
        {
            return (TKey)(object)random.Next(int.MinValue, int.MaxValue);
        }

        if (typeof(TKey) == typeof(Guid))
        {
            Span<byte> bytes = stackalloc byte[16];
            random.NextBytes(bytes);
            return (TKey)(object)new Guid(bytes);
        }

        if (typeof(TKey) == typeof(Key24))
        {
            return (TKey)(object)new Key24(random.NextInt64(), random.NextInt64(), random.NextInt64());
        }

        throw new NotSupportedException(typeof(TKey).Name);
    }
}
