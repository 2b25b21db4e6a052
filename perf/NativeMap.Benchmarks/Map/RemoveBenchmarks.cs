using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Removing every key, in random order, from a full map (rebuilt before each iteration). NativeMap shrinks as it
/// empties (Dictionary does not), so this includes the evacuations of its shrinks.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The map is disposed by [GlobalCleanup], which BenchmarkDotNet calls.")]
public abstract class RemoveBenchmarksBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private Dictionary<TKey, long> _dictionary = null!;
    private NativeMap<TKey, long> _map = null!;

    [GlobalSetup]
    public void Setup() => CreateKeys();

    [IterationSetup(Target = nameof(Dictionary_Remove))]
    public void FillDictionary()
    {
        _dictionary = new Dictionary<TKey, long>();
        for (int i = 0; i < Present.Length; i++)
        {
            _dictionary[Present[i]] = i;
        }
    }

    [IterationSetup(Target = nameof(NativeMap_Remove))]
    public void FillMap()
    {
        _map?.Dispose();
        _map = new NativeMap<TKey, long>(0, Heap);
        for (int i = 0; i < Present.Length; i++)
        {
            _map[Present[i]] = i;
        }

        _map.EvacuateAll();
    }

    public override void Cleanup()
    {
        _map?.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Remove")]
    public int Dictionary_Remove()
    {
        Dictionary<TKey, long> dictionary = _dictionary;
        int removed = 0;
        foreach (TKey key in PresentShuffled)
        {
            removed += dictionary.Remove(key) ? 1 : 0;
        }

        return removed;
    }

    [Benchmark]
    [BenchmarkCategory("Remove")]
    public int NativeMap_Remove()
    {
        NativeMap<TKey, long> map = _map;
        int removed = 0;
        foreach (TKey key in PresentShuffled)
        {
            removed += map.Remove(key) ? 1 : 0;
        }

        return removed;
    }
}

/// <summary>Removing 1 M keys.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("1M")]
public class RemoveBenchmarks<TKey> : RemoveBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Removing 10 M keys.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("10M")]
public class RemoveBenchmarks10M<TKey> : RemoveBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
