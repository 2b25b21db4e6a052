namespace NativeMap.Benchmarks.Map;

/// <summary>
/// The loop of every map benchmark, written once for both maps (see <see cref="IMapAdapter{TKey}"/>). Each returns a
/// checksum that depends on what the map answered, so the work cannot be optimised away and the two maps can be
/// compared (<see cref="Agreement"/>).
/// </summary>
public static class MapOps
{
    /// <summary>Sets <c>keys[i]</c> to <c>i</c> for every key (insert or overwrite); returns the count afterwards.</summary>
    public static int SetAll<TKey, TMap>(TMap map, TKey[] keys)
        where TKey : unmanaged
        where TMap : struct, IMapAdapter<TKey>
    {
        for (int i = 0; i < keys.Length; i++)
        {
            map.Set(keys[i], i);
        }

        return map.Count;
    }

    /// <summary>Looks up every key; returns the sum of the values found.</summary>
    public static long Lookups<TKey, TMap>(TMap map, TKey[] keys)
        where TKey : unmanaged
        where TMap : struct, IMapAdapter<TKey>
    {
        long sum = 0;
        foreach (TKey key in keys)
        {
            if (map.TryGetValue(key, out long value))
            {
                sum += value;
            }
        }

        return sum;
    }

    /// <summary>Removes every key; returns how many were present.</summary>
    public static int RemoveAll<TKey, TMap>(TMap map, TKey[] keys)
        where TKey : unmanaged
        where TMap : struct, IMapAdapter<TKey>
    {
        int removed = 0;
        foreach (TKey key in keys)
        {
            removed += map.Remove(key) ? 1 : 0;
        }

        return removed;
    }

    /// <summary>Runs the operation stream; returns the sum of the values read plus the number of keys removed.</summary>
    public static long Mix<TKey, TMap>(TMap map, MixStream<TKey> stream)
        where TKey : unmanaged
        where TMap : struct, IMapAdapter<TKey>
    {
        MixOp[] ops = stream.Ops;
        TKey[] keys = stream.Keys;
        long sum = 0;
        for (int i = 0; i < ops.Length && i < keys.Length; i++) // both bounds in the condition: no bounds checks in the loop
        {
            switch (ops[i])
            {
                case MixOp.Get:
                    if (map.TryGetValue(keys[i], out long value))
                    {
                        sum += value;
                    }

                    break;
                case MixOp.Set:
                    map.Set(keys[i], i);
                    break;
                default:
                    sum += map.Remove(keys[i]) ? 1 : 0;
                    break;
            }
        }

        return sum;
    }
}
