using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>Inserting random keys into an empty map without a capacity hint (growth included), then dropping it.</summary>
public abstract class InsertBenchmarksBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    [GlobalSetup]
    public void Setup() => CreateKeys();

    [Benchmark(Baseline = true)]
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

    [Benchmark]
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

/// <summary>Inserting 1 M keys.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("1M")]
public class InsertBenchmarks<TKey> : InsertBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Inserting 10 M keys.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("10M")]
public class InsertBenchmarks10M<TKey> : InsertBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
