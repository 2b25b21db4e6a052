namespace NativeMap.SideBySide;

/// <summary>
/// The operations the program times, so each timed loop is written once (<see cref="Operations"/>) for both maps. The
/// adapters are structs: the JIT compiles each loop once per adapter and inlines the forwarding calls.
/// </summary>
public interface IUlongMap : IDisposable
{
    int Count { get; }

    /// <summary>The indexer's setter.</summary>
    void Set(ulong key, ulong value);

    bool TryGetValue(ulong key, out ulong value);

    bool Remove(ulong key);

    /// <summary>Looks up every key; returns the number found. NativeMap's batch call; for Dictionary, a TryGetValue loop.</summary>
    int TryGetValues(ReadOnlySpan<ulong> keys, Span<ulong> values, Span<bool> found);

    /// <summary>Sets every key to its value. NativeMap's batch call; for Dictionary, an indexer loop.</summary>
    void SetValues(ReadOnlySpan<ulong> keys, ReadOnlySpan<ulong> values);
}

/// <summary><see cref="IUlongMap"/> over <see cref="Dictionary{TKey, TValue}"/>.</summary>
public readonly struct DictionaryMap() : IUlongMap
{
    private readonly Dictionary<ulong, ulong> _dictionary = new();

    public int Count => _dictionary.Count;

    public void Set(ulong key, ulong value) => _dictionary[key] = value;

    public bool TryGetValue(ulong key, out ulong value) => _dictionary.TryGetValue(key, out value);

    public bool Remove(ulong key) => _dictionary.Remove(key);

    public int TryGetValues(ReadOnlySpan<ulong> keys, Span<ulong> values, Span<bool> found)
    {
        int hits = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            bool hit = _dictionary.TryGetValue(keys[i], out values[i]);
            found[i] = hit;
            hits += hit ? 1 : 0;
        }

        return hits;
    }

    public void SetValues(ReadOnlySpan<ulong> keys, ReadOnlySpan<ulong> values)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            _dictionary[keys[i]] = values[i];
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// <see cref="IUlongMap"/> over <see cref="NativeMap{TKey, TValue}"/> as a new user makes it: <c>new NativeMap&lt;ulong,
/// ulong&gt;()</c>, on <see cref="NativeMap.Allocator.SpanHeap.Shared"/>. Like Dictionary's second run, which finds the
/// GC's memory committed, a second run finds the pages the first freed still warm in the heap (within its decay).
/// </summary>
public readonly struct NativeMapMap() : IUlongMap
{
    private readonly NativeMap<ulong, ulong> _map = new();

    public int Count => _map.Count;

    public void Set(ulong key, ulong value) => _map[key] = value;

    public bool TryGetValue(ulong key, out ulong value) => _map.TryGetValue(key, out value);

    public bool Remove(ulong key) => _map.Remove(key);

    public int TryGetValues(ReadOnlySpan<ulong> keys, Span<ulong> values, Span<bool> found) => _map.TryGetValues(keys, values, found);

    public void SetValues(ReadOnlySpan<ulong> keys, ReadOnlySpan<ulong> values) => _map.SetValues(keys, values);

    public void Dispose() => _map.Dispose();
}
