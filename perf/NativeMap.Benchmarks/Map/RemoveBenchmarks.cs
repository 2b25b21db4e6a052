using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Removing every key, in random order, from a full map. NativeMap shrinks as it empties (Dictionary does not), so
/// this includes the evacuations of its shrinks. Each invocation empties a map of its own, filled before the
/// iteration (an [IterationSetup], so one invocation per iteration), except at 1 K: there one removal pass is too
/// short to time alone, so an iteration is <see cref="MapsPerIteration"/> invocations over as many maps filled before it.
/// </summary>
public abstract class RemoveBenchmarksBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private Dictionary<TKey, long>[] _dictionaries = [];
    private NativeMap<TKey, long>[] _maps = [];
    private int _next;

    /// <summary>Full maps prepared for an iteration; must equal the invocations per iteration (more would index past the array and fail).</summary>
    protected virtual int MapsPerIteration => 1;

    [GlobalSetup]
    public void Setup()
    {
        CreateKeys();
        Dictionary<TKey, long> dictionary = FillDictionary(0);
        using NativeMap<TKey, long> map = FillMap(0);
        map.EvacuateAll();
        Agreement.SameResult("Remove", RemoveAll(dictionary), RemoveAll(map));
        Agreement.SameContents("Remove", dictionary, map);
    }

    [IterationSetup(Target = nameof(Dictionary_Remove))]
    public void FillDictionaries()
    {
        _next = 0;
        _dictionaries = new Dictionary<TKey, long>[MapsPerIteration];
        for (int i = 0; i < _dictionaries.Length; i++)
        {
            _dictionaries[i] = FillDictionary(0);
        }
    }

    [IterationSetup(Target = nameof(NativeMap_Remove))]
    public void FillMaps()
    {
        DisposeMaps();
        _next = 0;
        _maps = new NativeMap<TKey, long>[MapsPerIteration];
        for (int i = 0; i < _maps.Length; i++)
        {
            _maps[i] = FillMap(0);
            _maps[i].EvacuateAll();
        }
    }

    public override void Cleanup()
    {
        DisposeMaps();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Remove")]
    public int Dictionary_Remove() => RemoveAll(_dictionaries[_next++]);

    [Benchmark]
    [BenchmarkCategory("Remove")]
    public int NativeMap_Remove() => RemoveAll(_maps[_next++]);

    private int RemoveAll(Dictionary<TKey, long> dictionary) => MapOps.RemoveAll(Adapt(dictionary), PresentShuffled);

    private int RemoveAll(NativeMap<TKey, long> map) => MapOps.RemoveAll(Adapt(map), PresentShuffled);

    private void DisposeMaps()
    {
        foreach (NativeMap<TKey, long> map in _maps)
        {
            map.Dispose();
        }

        _maps = [];
    }
}

/// <summary>Removing 1 K keys, from <see cref="Maps"/> maps per iteration.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1K")]
[InvocationCount(Maps)]
public class RemoveBenchmarks1K<TKey> : RemoveBenchmarksBase<TKey>
    where TKey : unmanaged
{
    /// <summary>
    /// 256 passes of 1 K removes make an iteration of a few milliseconds; the 256 maps (about 10 MiB for Dictionary,
    /// less for NativeMap) stay within the last-level cache, but not within L1/L2 as one map reused would.
    /// </summary>
    private const int Maps = 256;

    protected override int Size => 1_000;

    protected override int MapsPerIteration => Maps;
}

/// <summary>Removing 1 M keys.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("1M")]
public class RemoveBenchmarks1M<TKey> : RemoveBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Removing 10 M keys.</summary>
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(Guid))]
[GenericTypeArguments(typeof(Key24))]
[BenchmarkCategory("10M")]
public class RemoveBenchmarks10M<TKey> : RemoveBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
