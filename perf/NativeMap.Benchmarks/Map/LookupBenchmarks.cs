using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>TryGetValue of every present key in random order (Hit) and of as many absent keys (Miss), on a full map.</summary>
public abstract class LookupBenchmarksBase<TKey> : FilledMapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    [GlobalSetup]
    public void Setup()
    {
        CreateFilledMaps();
        CheckAgreement("Hit", Dictionary_Hit, NativeMap_Hit);
        CheckAgreement("Miss", Dictionary_Miss, NativeMap_Miss);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Hit")]
    public long Dictionary_Hit() => MapOps.Lookups(Adapt(Dictionary), PresentShuffled);

    [Benchmark]
    [BenchmarkCategory("Hit")]
    public long NativeMap_Hit() => MapOps.Lookups(Adapt(Map), PresentShuffled);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Miss")]
    public long Dictionary_Miss() => MapOps.Lookups(Adapt(Dictionary), Absent);

    [Benchmark]
    [BenchmarkCategory("Miss")]
    public long NativeMap_Miss() => MapOps.Lookups(Adapt(Map), Absent);
}

/// <summary>Lookups in a map of 1 K entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
public class LookupBenchmarks1K<TKey> : LookupBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000;
}

/// <summary>Lookups in a map of 1 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class LookupBenchmarks1M<TKey> : LookupBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Lookups in a map of 10 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class LookupBenchmarks10M<TKey> : LookupBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
