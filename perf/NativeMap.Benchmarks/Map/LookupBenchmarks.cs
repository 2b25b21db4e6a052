using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace NativeMap.Benchmarks.Map;

/// <summary>TryGetValue hits and misses (every key once, in random order) on a map of random keys built without a capacity hint.</summary>
[SuppressMessage("Design", "CA1001", Justification = "The map is disposed by [GlobalCleanup], which BenchmarkDotNet calls.")]
public abstract class LookupBenchmarksBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private Dictionary<TKey, long> _dictionary = null!;
    private NativeMap<TKey, long> _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        CreateKeys();
        _dictionary = new Dictionary<TKey, long>();
        _map = new NativeMap<TKey, long>(0, Heap);
        for (int i = 0; i < Present.Length; i++)
        {
            _dictionary[Present[i]] = i;
            _map[Present[i]] = i;
        }

        _map.EvacuateAll(); // steady state: no growth in progress
    }

    public override void Cleanup()
    {
        _map.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Hit")]
    public long Dictionary_Hit() => DictionaryLookups(PresentShuffled);

    [Benchmark]
    [BenchmarkCategory("Hit")]
    public long NativeMap_Hit() => MapLookups(PresentShuffled);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Miss")]
    public long Dictionary_Miss() => DictionaryLookups(Absent);

    [Benchmark]
    [BenchmarkCategory("Miss")]
    public long NativeMap_Miss() => MapLookups(Absent);

    private long DictionaryLookups(TKey[] keys)
    {
        Dictionary<TKey, long> dictionary = _dictionary;
        long sum = 0;
        foreach (TKey key in keys)
        {
            if (dictionary.TryGetValue(key, out long value))
            {
                sum += value;
            }
        }

        return sum;
    }

    private long MapLookups(TKey[] keys)
    {
        NativeMap<TKey, long> map = _map;
        long sum = 0;
        foreach (TKey key in keys)
        {
            if (map.TryGetValue(key, out long value))
            {
                sum += value;
            }
        }

        return sum;
    }
}

/// <summary>Lookups in a map of 1 M entries.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("1M")]
public class LookupBenchmarks<TKey> : LookupBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 1_000_000;
}

/// <summary>Lookups in a map of 10 M entries.</summary>
[GenericTypeArguments(typeof(long))]
[GenericTypeArguments(typeof(int))]
[GenericTypeArguments(typeof(Guid))]
[BenchmarkCategory("10M")]
public class LookupBenchmarks10M<TKey> : LookupBenchmarksBase<TKey>
    where TKey : unmanaged
{
    protected override int Size => 10_000_000;
}
