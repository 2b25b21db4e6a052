using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>TryGetValues and SetValues: agreement with the single-key calls on every path, and their argument checks.
/// (The model tests also mix them into every growth, shrink and churn phase.)</summary>
public sealed class NativeMapBatchTests : IDisposable
{
    private readonly SpanHeap _heap = new();

    public void Dispose() => _heap.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(NativeMap<long, long>.PrefetchDistance)]
    [InlineData(1000)]
    public void TryGetValues_HitsMissesAndRepeats_MatchTryGetValue(int length)
    {
        using var map = Filled(20_000);
        var random = new Random(length);
        long[] keys = Enumerable.Range(0, length).Select(_ => random.NextInt64(0, 40_000) * 3).ToArray();
        if (length > 2)
        {
            keys[^1] = keys[0]; // a repeat
        }

        AssertAgrees(map, keys);
    }

    [Fact]
    public void TryGetValues_WhileResizing_MatchTryGetValue()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        long k = 0;
        while (!map.IsEvacuating || map.BucketShift < 8)
        {
            map[k * 3] = k;
            k++;
        }

        AssertAgrees(map, Enumerable.Range(0, 3000).Select(i => (long)i).ToArray());

        while (!map.IsShrinking)
        {
            map.Remove(--k * 3);
        }

        AssertAgrees(map, Enumerable.Range(0, 3000).Select(i => (long)i).ToArray());
        map.Validate();
    }

    [Fact]
    public void TryGetValues_ComparerAndStructKeys_MatchTryGetValue()
    {
        using var map = new NativeMap<long, long>(0, new CollidingComparer(7), _heap);
        for (long k = 0; k < 500; k++)
        {
            map[k] = -k;
        }

        AssertAgrees(map, Enumerable.Range(-50, 700).Select(i => (long)i).ToArray());

        using var structs = new NativeMap<Key24, int>(0, _heap);
        for (int i = 0; i < 500; i++)
        {
            structs[new Key24(i, i * 7, i % 3)] = i;
        }

        Key24[] keys = Enumerable.Range(-50, 700).Select(i => new Key24(i, i * 7, i % 3)).ToArray();
        int[] values = new int[keys.Length];
        bool[] found = new bool[keys.Length];
        Assert.Equal(500, structs.TryGetValues(keys, values, found));
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(structs.TryGetValue(keys[i], out int expected), found[i]);
            Assert.Equal(expected, values[i]);
        }
    }

    [Fact]
    public void TryGetValues_EmptyMap_FindsNothingAndClearsOutputs()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        long[] values = [7, 7, 7];
        bool[] found = [true, true, true];
        Assert.Equal(0, map.TryGetValues([1, 2, 3], values, found));
        Assert.All(values, v => Assert.Equal(0, v));
        Assert.All(found, Assert.False);
    }

    [Fact]
    public void TryGetValues_ShortOutputs_ThrowArgumentAndWriteNothing()
    {
        using var map = Filled(100);
        long[] values = [7, 7];
        bool[] found = [true, true, true];
        Assert.Throws<ArgumentException>("values", () => map.TryGetValues([0, 3, 6], values, found));
        Assert.Throws<ArgumentException>("found", () => map.TryGetValues([0, 3], values, new bool[1]));
        Assert.Equal([7, 7], values);
    }

    [Fact]
    public void Batch_DisposedMap_ThrowsObjectDisposed()
    {
        var map = Filled(100);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValues([1], new long[1], new bool[1]));
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValues([], [], []));
        Assert.Throws<ObjectDisposedException>(() => map.SetValues([1], [1]));
        Assert.Throws<ObjectDisposedException>(() => map.SetValues([], []));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SetValues_IntoEmptyMap_AllocatesOnceAndMatchesTheIndexer(bool hugePages)
    {
        // 100,000 entries: a 2.3 MiB bucket array, large enough for the heap's huge-page spans when they are on.
        using var heap = new SpanHeap(new SpanHeapOptions { HugePages = hugePages });
        Assert.True(hugePages || !heap.HugePagesActive);
        using var map = new NativeMap<long, long>(0, heap);
        long[] keys = Enumerable.Range(0, 100_000).Select(i => (long)i * 7919).ToArray();
        long[] values = keys.Select(k => k ^ 0x55).ToArray();
        map.SetValues(keys, values);
        Assert.Equal(keys.Length, map.Count);
        Assert.Equal(0, map.ResizeCount); // the array for 100,000 came at once: no growth, no rebuild
        Assert.False(map.IsEvacuating);
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(values[i], map[keys[i]]);
        }

        map.Validate();

        // Room is not a floor: removing most entries shrinks the map.
        int shift = map.BucketShift;
        for (int i = 0; i < keys.Length - 100; i++)
        {
            map.Remove(keys[i]);
        }

        map.EvacuateAll();
        Assert.True(map.BucketShift < shift);
        map.Validate();
    }

    [Fact]
    public void SetValues_DuplicatesAndExistingKeys_LastValueWins()
    {
        using var map = Filled(1000);
        map.SetValues([3, 5, 3, -1, -1, 6], [10, 11, 12, 13, 14, 15]);
        Assert.Equal(12, map[3]);
        Assert.Equal(11, map[5]);
        Assert.Equal(14, map[-1]);
        Assert.Equal(15, map[6]);
        Assert.Equal(1002, map.Count); // 5 is not a multiple of 3: added, as is -1
        map.Validate();
    }

    [Fact]
    public void SetValues_SmallMapBigBatch_RebuildsOnceLargeMapSmallBatch_GrowsIncrementally()
    {
        using var map = Filled(1000);
        long[] keys = Enumerable.Range(0, 50_000).Select(i => (long)i * 3 + 1).ToArray();
        int resizes = map.ResizeCount;
        map.SetValues(keys, keys);
        Assert.Equal(resizes + 1, map.ResizeCount); // one rebuild to fit 51,000
        Assert.False(map.IsEvacuating);
        Assert.Equal(51_000, map.Count);
        map.Validate();

        // A batch much smaller than the map: incremental growth, as the indexer would do.
        long[] more = Enumerable.Range(0, 40_000).Select(i => (long)i * 3 + 2).ToArray();
        map.SetValues(more, more);
        Assert.Equal(91_000, map.Count);
        foreach (long k in more)
        {
            Assert.Equal(k, map[k]);
        }

        map.Validate();
    }

    [Fact]
    public void SetValues_LengthMismatch_ThrowsArgumentAndChangesNothing()
    {
        using var map = Filled(10);
        Assert.Throws<ArgumentException>("values", () => map.SetValues([1, 2], [1]));
        Assert.Equal(10, map.Count);
    }

    [Fact]
    public void SetValues_ThrowingComparer_KeysBeforeTheThrowAreSet()
    {
        var comparer = new ThrowingComparer();
        using var map = new NativeMap<long, long>(0, comparer, _heap);
        comparer.CallsBeforeThrow = 2;
        Assert.Throws<InvalidDataException>(() => map.SetValues([1, 2, 3, 4], [1, 2, 3, 4]));
        comparer.CallsBeforeThrow = -1;
        Assert.Equal(2, map.Count);
        Assert.Equal(2, map[2]);
        map.Validate();
    }

    private NativeMap<long, long> Filled(int count)
    {
        var map = new NativeMap<long, long>(0, _heap);
        for (long k = 0; k < count; k++)
        {
            map[k * 3] = k;
        }

        map.EvacuateAll();
        return map;
    }

    private static void AssertAgrees(NativeMap<long, long> map, long[] keys)
    {
        long[] values = Enumerable.Repeat(-7L, keys.Length + 2).ToArray();
        bool[] found = new bool[keys.Length + 2];
        int hits = map.TryGetValues(keys, values, found);
        int expectedHits = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            bool present = map.TryGetValue(keys[i], out long expected);
            Assert.Equal(present, found[i]);
            Assert.Equal(expected, values[i]);
            expectedHits += present ? 1 : 0;
        }

        Assert.Equal(expectedHits, hits);
        Assert.Equal(-7, values[^1]); // nothing written past the keys
    }
}
