using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// A read-mostly workload on a full map: <see cref="MixStream{TKey}"/> of as many operations as the map has entries,
/// 90 % TryGetValue hits and 10 % writes (overwrites, and inserts of new keys each removed again by the next such
/// write, so the size stays N or N + 1).
/// </summary>
public abstract class MixBenchmarksBase<TKey> : FilledMapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private MixStream<TKey> _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        CreateFilledMaps();
        _stream = MixStream<TKey>.Create(Present, Absent, Size);
        CheckAgreement("Mix", Dictionary_Mix, NativeMap_Mix);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Mix")]
    public long Dictionary_Mix() => MapOps.Mix(Adapt(Dictionary), _stream);

    [Benchmark]
    [BenchmarkCategory("Mix")]
    public long NativeMap_Mix() => MapOps.Mix(Adapt(Map), _stream);
}

/// <summary>The mix on a map of 1 K entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
public class MixBenchmarks1K<TKey> : MixBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000;
}

/// <summary>The mix on a map of 1 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class MixBenchmarks1M<TKey> : MixBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>The mix on a map of 10 M entries.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class MixBenchmarks10M<TKey> : MixBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
