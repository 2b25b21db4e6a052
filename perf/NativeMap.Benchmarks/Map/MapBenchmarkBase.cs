using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Shared setup of the map benchmarks: a private heap, the keys, filling a map, and the group-by-category rule that
/// makes Dictionary the baseline of each (size, operation) group. Every benchmark loops over all keys (or a stream as
/// long), so an invocation is <see cref="Size"/> operations: divide its time by the size for the time per operation.
/// </summary>
/// <remarks>
/// A concrete class per operation and size carries the size category ("1K", "1M", "10M", so that
/// <c>--anyCategories 1K 1M</c> skips the long runs) and the key shapes as <c>[GenericTypeArguments]</c>; each method
/// carries its operation category, so a group is one operation at one size for one key shape.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public abstract class MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private SpanHeap? _heap;

    /// <summary>Entries in the map.</summary>
    protected abstract int Size { get; }

    protected SpanHeap Heap => _heap ??= new SpanHeap(new SpanHeapOptions { Name = "bench", ScavengerEnabled = false });

    /// <summary><see cref="Size"/> distinct random keys, in the order they are inserted.</summary>
    protected TKey[] Present { get; private set; } = [];

    /// <summary><see cref="Size"/> more keys, none of them in <see cref="Present"/>.</summary>
    protected TKey[] Absent { get; private set; } = [];

    /// <summary><see cref="Present"/> in another random order, for lookups, overwrites and removes.</summary>
    protected TKey[] PresentShuffled { get; private set; } = [];

    protected void CreateKeys()
    {
        (Present, Absent) = KeyFactory.Create<TKey>(Size, Size);
        PresentShuffled = KeyFactory.Shuffled(Present);
    }

    /// <summary>A dictionary created with <paramref name="capacity"/> and then given <c>Present[i] = i</c> for every key.</summary>
    protected Dictionary<TKey, long> FillDictionary(int capacity)
    {
        var dictionary = new Dictionary<TKey, long>(capacity);
        MapOps.SetAll(Adapt(dictionary), Present);
        return dictionary;
    }

    /// <summary>A map created with <paramref name="capacity"/> on <see cref="Heap"/> and then given <c>Present[i] = i</c> for every key.</summary>
    protected NativeMap<TKey, long> FillMap(int capacity)
    {
        var map = new NativeMap<TKey, long>(capacity, KeyComparer, Heap);
        MapOps.SetAll(Adapt(map), Present);
        return map;
    }

    /// <summary>
    /// NativeMap's comparer: the bitwise opt-in for <see cref="Key24"/> (its hand-written, field-by-field Equals is
    /// bitwise in fact, which the map cannot prove, so a user opts in), the default for the other keys.
    /// </summary>
    protected static IEqualityComparer<TKey>? KeyComparer =>
        typeof(TKey) == typeof(Key24) ? (IEqualityComparer<TKey>)(object)BitwiseEqualityComparer<Key24>.Instance : null;

    protected static DictionaryAdapter<TKey> Adapt(Dictionary<TKey, long> dictionary) => new(dictionary);

    protected static NativeMapAdapter<TKey> Adapt(NativeMap<TKey, long> map) => new(map);

    [GlobalCleanup]
    public virtual void Cleanup()
    {
        _heap?.Dispose();
        _heap = null;
    }
}
