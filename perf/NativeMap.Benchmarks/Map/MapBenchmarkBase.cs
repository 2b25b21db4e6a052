using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Shared setup of the map benchmarks: a private heap, the keys, and the group-by-category rule that makes
/// Dictionary the baseline of each operation. Every benchmark loops over all keys, so results are per operation.
/// </summary>
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

    protected TKey[] Present { get; private set; } = [];

    protected TKey[] Absent { get; private set; } = [];

    protected TKey[] PresentShuffled { get; private set; } = [];

    protected void CreateKeys()
    {
        (Present, Absent) = KeyFactory.Create<TKey>(Size, Size);
        PresentShuffled = KeyFactory.Shuffled(Present);
    }

    [GlobalCleanup]
    public virtual void Cleanup()
    {
        _heap?.Dispose();
        _heap = null;
    }
}
