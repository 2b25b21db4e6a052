namespace NativeMap.Benchmarks.Map;

/// <summary><see cref="IMapAdapter{TKey}"/> over a <see cref="Dictionary{TKey, TValue}"/>.</summary>
public readonly struct DictionaryAdapter<TKey>(Dictionary<TKey, long> dictionary) : IMapAdapter<TKey>
    where TKey : unmanaged
{
    public int Count => dictionary.Count;

    public bool TryGetValue(TKey key, out long value) => dictionary.TryGetValue(key, out value);

    public void Set(TKey key, long value) => dictionary[key] = value;

    public bool Remove(TKey key) => dictionary.Remove(key);

    public long SumValues()
    {
        long sum = 0;
        foreach (KeyValuePair<TKey, long> entry in dictionary)
        {
            sum += entry.Value;
        }

        return sum;
    }
}
