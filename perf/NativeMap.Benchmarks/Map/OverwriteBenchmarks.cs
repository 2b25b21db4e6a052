using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// The indexer's setter on every present key, in random order, on a full map: finds the key and replaces its value.
/// Every run writes the same values, so the map's state is the same before each run.
/// </summary>
public abstract class OverwriteBenchmarksBase<TKey> : FilledMapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    [GlobalSetup]
    public void Setup()
    {
        CreateFilledMaps();
        CheckAgreement("Overwrite", Dictionary_Overwrite, NativeMap_Overwrite);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Overwrite")]
    public long Dictionary_Overwrite() => MapOps.SetAll(Adapt(Dictionary), PresentShuffled);

    [Benchmark]
    [BenchmarkCategory("Overwrite")]
    public long NativeMap_Overwrite() => MapOps.SetAll(Adapt(Map), PresentShuffled);
}

/// <summary>Overwriting in a map of 1 K entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
public class OverwriteBenchmarks1K<TKey> : OverwriteBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000;
}

/// <summary>Overwriting in a map of 1 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class OverwriteBenchmarks1M<TKey> : OverwriteBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Overwriting in a map of 10 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class OverwriteBenchmarks10M<TKey> : OverwriteBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
