namespace NativeMap.Benchmarks.Map;

/// <summary>
/// The map operations the benchmarks use, so that each benchmark loop is written once (<see cref="MapOps"/>) and run
/// against either map. The adapters are structs: the JIT compiles each loop once per adapter and inlines the
/// one-line forwarding calls, so a loop costs what the same loop written against the map directly costs.
/// </summary>
public interface IMapAdapter<TKey>
    where TKey : unmanaged
{
    int Count { get; }

    bool TryGetValue(TKey key, out long value);

    /// <summary>The indexer's setter: inserts the key or overwrites its value.</summary>
    void Set(TKey key, long value);

    bool Remove(TKey key);

    /// <summary>Enumerates every entry (foreach) and sums the values.</summary>
    long SumValues();
}
