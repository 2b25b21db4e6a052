using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// <c>foreach</c> over every entry of a full map, summing the values. Dictionary walks its dense entries array;
/// NativeMap walks its buckets (its enumerator also guards against growth and shrinks in progress).
/// </summary>
public abstract class EnumerateBenchmarksBase<TKey> : FilledMapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    [GlobalSetup]
    public void Setup()
    {
        CreateFilledMaps();
        CheckAgreement("Enumerate", Dictionary_Enumerate, NativeMap_Enumerate);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Enumerate")]
    public long Dictionary_Enumerate() => Adapt(Dictionary).SumValues();

    [Benchmark]
    [BenchmarkCategory("Enumerate")]
    public long NativeMap_Enumerate() => Adapt(Map).SumValues();
}

/// <summary>Enumerating a map of 1 K entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
public class EnumerateBenchmarks1K<TKey> : EnumerateBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000;
}

/// <summary>Enumerating a map of 1 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class EnumerateBenchmarks1M<TKey> : EnumerateBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Enumerating a map of 10 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class EnumerateBenchmarks10M<TKey> : EnumerateBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
