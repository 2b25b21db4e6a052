using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Inserting every key into a new map through the indexer, then dropping it (NativeMap: <c>Dispose</c>): from empty
/// without a capacity hint (Insert: all growth included) and presized with a capacity hint of the final count
/// (InsertPresized: no growth).
/// </summary>
public abstract class InsertBenchmarksBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    [GlobalSetup]
    public void Setup()
    {
        CreateKeys();
        foreach ((string operation, int capacity) in new[] { ("Insert", 0), ("InsertPresized", Size) })
        {
            using NativeMap<TKey, long> map = FillMap(capacity);
            Agreement.SameContents(operation, FillDictionary(capacity), map);
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Insert")]
    public int Dictionary_Insert() => FillDictionary(0).Count;

    [Benchmark]
    [BenchmarkCategory("Insert")]
    public int NativeMap_Insert() => InsertAndDispose(0);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("InsertPresized")]
    public int Dictionary_InsertPresized() => FillDictionary(Size).Count;

    [Benchmark]
    [BenchmarkCategory("InsertPresized")]
    public int NativeMap_InsertPresized() => InsertAndDispose(Size);

    private int InsertAndDispose(int capacity)
    {
        using NativeMap<TKey, long> map = FillMap(capacity);
        return map.Count;
    }
}

/// <summary>Inserting 1 K keys.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
public class InsertBenchmarks1K<TKey> : InsertBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000;
}

/// <summary>Inserting 1 M keys.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class InsertBenchmarks1M<TKey> : InsertBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Inserting 10 M keys.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class InsertBenchmarks10M<TKey> : InsertBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
