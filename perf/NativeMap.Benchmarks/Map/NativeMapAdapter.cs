namespace NativeMap.Benchmarks.Map;

/// <summary><see cref="IMapAdapter{TKey}"/> over a <see cref="NativeMap{TKey, TValue}"/>.</summary>
public readonly struct NativeMapAdapter<TKey>(NativeMap<TKey, long> map) : IMapAdapter<TKey>
    where TKey : unmanaged
{
    public int Count => map.Count;

    public bool TryGetValue(TKey key, out long value) => map.TryGetValue(key, out value);

    public void Set(TKey key, long value) => map[key] = value;

    public bool Remove(TKey key) => map.Remove(key);

    public long SumValues()
    {
        long sum = 0;
        foreach (KeyValuePair<TKey, long> entry in map)
        {
            sum += entry.Value;
        }

        return sum;
    }
}
