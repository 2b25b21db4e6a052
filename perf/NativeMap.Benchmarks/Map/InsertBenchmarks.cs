using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>Inserting random keys into an empty map without a capacity hint (growth included), then dropping it.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
public class InsertBenchmarks<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;

    [GlobalSetup]
    public void Setup() => CreateKeys();

    [Benchmark(Baseline = true, OperationsPerInvoke = 1_000_000)]
    [BenchmarkCategory("Insert")]
    public int Dictionary_Insert()
    {
        var dictionary = new Dictionary<TKey, long>();
        TKey[] keys = Present;
        for (int i = 0; i < keys.Length; i++)
        {
            dictionary[keys[i]] = i;
        }

        return dictionary.Count;
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    [BenchmarkCategory("Insert")]
    public int NativeMap_Insert()
    {
        using var map = new NativeMap<TKey, long>(0, Heap);
        TKey[] keys = Present;
        for (int i = 0; i < keys.Length; i++)
        {
            map[keys[i]] = i;
        }

        return map.Count;
    }
}
