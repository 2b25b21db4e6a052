using System.Runtime.CompilerServices;

namespace NativeMap.Tests;

public sealed class NativeMapApiTests : IDisposable
{
    private readonly SpanHeap _heap = new();

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void Constructor_NegativeCapacity_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeMap<long, long>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeMap<long, long>(-1, _heap));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeMap<long, long>(int.MinValue, null, _heap));
    }

    [Fact]
    public void Constructor_NullHeap_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new NativeMap<long, long>(0, (SpanHeap)null!));
    }

    [Fact]
    public void Constructor_DisposedHeap_ThrowsObjectDisposed()
    {
        var heap = new SpanHeap();
        heap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new NativeMap<long, long>(10, heap));
    }

    [Fact]
    public void Constructor_Default_UsesSharedHeapAndAllocatesLazily()
    {
        using var map = new NativeMap<long, long>();
        Assert.Same(SpanHeap.Shared, map.Heap);
        Assert.Equal(0, map.Capacity);
        map[1] = 2;
        Assert.Equal(2, map[1]);
    }

    [Fact]
    public void Constructor_Capacity_HoldsThatManyWithoutGrowing()
    {
        using var map = new NativeMap<long, long>(10_000, _heap);
        Assert.True(map.Capacity >= 10_000);
        int shift = map.BucketShift;
        for (long k = 0; k < 10_000; k++)
        {
            map.Add(k, k);
        }

        Assert.Equal(shift, map.BucketShift);
        Assert.Equal(0, map.ResizeCount);
    }

    [Fact]
    public void Add_DuplicateKey_ThrowsArgumentAndKeepsValue()
    {
        using var map = new NativeMap<long, long>(0, _heap) { { 5, 50 } };
        var e = Assert.Throws<ArgumentException>(() => map.Add(5, 51));
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
        Assert.Equal(50, map[5]);
        Assert.Single(map);
        map.Validate();
    }

    [Fact]
    public void TryAdd_DuplicateKey_ReturnsFalse()
    {
        using var map = new NativeMap<int, int>(0, _heap);
        Assert.True(map.TryAdd(1, 1));
        Assert.False(map.TryAdd(1, 2));
        Assert.Equal(1, map[1]);
    }

    [Fact]
    public void Indexer_MissingKey_ThrowsKeyNotFound()
    {
        using var map = new NativeMap<long, long>(0, _heap) { [1] = 1 };
        Assert.Throws<KeyNotFoundException>(() => map[2]);
        using var empty = new NativeMap<long, long>(0, _heap);
        Assert.Throws<KeyNotFoundException>(() => empty[2]);
    }

    [Fact]
    public void Indexer_Set_AddsThenOverwrites()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        map[7] = 1;
        map[7] = 2;
        Assert.Equal(2, map[7]);
        Assert.Single(map);
    }

    [Fact]
    public void TryGetValue_Missing_ReturnsFalseAndDefault()
    {
        using var map = new NativeMap<long, long>(0, _heap) { [1] = 9 };
        Assert.False(map.TryGetValue(2, out long value));
        Assert.Equal(0, value);
        Assert.True(map.TryGetValue(1, out value));
        Assert.Equal(9, value);
    }

    [Fact]
    public void Remove_WithValue_ReturnsRemovedValue()
    {
        using var map = new NativeMap<long, long>(0, _heap) { [1] = 9, [2] = 8 };
        Assert.True(map.Remove(1, out long value));
        Assert.Equal(9, value);
        Assert.False(map.Remove(1, out value));
        Assert.Equal(0, value);
        Assert.False(map.ContainsKey(1));
        Assert.True(map.ContainsKey(2));
    }

    [Fact]
    public void GetValueRefOrNullRef_MissingAndPresent_BehavesLikeCollectionsMarshal()
    {
        using var map = new NativeMap<long, long>(0, _heap) { [1] = 9 };
        Assert.True(Unsafe.IsNullRef(ref map.GetValueRefOrNullRef(2)));
        ref long value = ref map.GetValueRefOrNullRef(1);
        value = 10;
        Assert.Equal(10, map[1]);
    }

    [Fact]
    public void GetValueRefOrAddDefault_AddsDefaultThenFindsIt()
    {
        using var map = new NativeMap<int, long>(0, _heap);
        for (int i = 0; i < 1000; i++)
        {
            ref long counter = ref map.GetValueRefOrAddDefault(i % 10, out bool exists);
            Assert.Equal(i >= 10, exists);
            counter++;
        }

        Assert.Equal(10, map.Count);
        Assert.All(map, entry => Assert.Equal(100, entry.Value));
    }

    [Fact]
    public void EnsureCapacity_Negative_ThrowsArgumentOutOfRange()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.EnsureCapacity(-5));
    }

    [Fact]
    public void EnsureCapacity_ZeroOnEmptyMap_AllocatesNothing()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        Assert.Equal(0, map.EnsureCapacity(0));
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        Assert.True(map.EnsureCapacity(1) >= 1);
    }

    [Fact]
    public void EnsureCapacity_Larger_ResizesOnceAndKeepsEntries()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        for (long k = 0; k < 100; k++)
        {
            map.Add(k, k);
        }

        int capacity = map.EnsureCapacity(100_000);
        Assert.True(capacity >= 100_000);
        int resizes = map.ResizeCount;
        for (long k = 100; k < 100_000; k++)
        {
            map.Add(k, k);
        }

        Assert.Equal(resizes, map.ResizeCount);
        Assert.Equal(100_000, map.Count);
        map.Validate();
    }

    [Fact]
    public void EnsureCapacity_SetsFloor_TrimExcessDropsIt()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        map.EnsureCapacity(50_000);
        int floor = map.BucketShift;
        for (long k = 0; k < 50_000; k++)
        {
            map.Add(k, k);
        }

        for (long k = 0; k < 49_990; k++)
        {
            map.Remove(k);
        }

        Assert.Equal(floor, map.BucketShift);
        map.TrimExcess();
        Assert.Equal(NativeMap<long, long>.BucketShiftFor(10), map.BucketShift);
        Assert.Equal(10, map.Count);
        map.Validate();
    }

    [Fact]
    public void TrimExcess_DuringGrowth_FinishesAndFits()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        long k = 0;
        while (!map.IsEvacuating || map.BucketShift < 6)
        {
            map.Add(k, k);
            k++;
        }

        map.TrimExcess();
        Assert.False(map.IsEvacuating);
        Assert.Equal(NativeMap<long, long>.BucketShiftFor((int)k), map.BucketShift);
        for (long i = 0; i < k; i++)
        {
            Assert.Equal(i, map[i]);
        }

        map.Validate();
    }

    [Fact]
    public void TrimExcess_Empty_FreesEverything()
    {
        using var map = new NativeMap<long, long>(1000, _heap);
        map.TrimExcess();
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        map[1] = 1;
        Assert.Equal(1, map[1]);
    }

    [Fact]
    public void Clear_ReturnsArraysAndKeepsWorking()
    {
        using var map = new NativeMap<long, long>(0, _heap);
        for (long k = 0; k < 20_000; k++)
        {
            map.Add(k, k);
        }

        map.Clear();
        Assert.Empty(map);
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        Assert.False(map.ContainsKey(5));
        map.Add(5, 6);
        Assert.Equal(6, map[5]);
        map.Validate();
    }

    [Fact]
    public void Dispose_ThenAnyUse_ThrowsObjectDisposed()
    {
        var map = new NativeMap<long, long>(0, _heap) { [1] = 1 };
        map.Dispose();
        map.Dispose(); // idempotent
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        Assert.Throws<ObjectDisposedException>(() => map[1]);
        Assert.Throws<ObjectDisposedException>(() => map[1] = 2);
        Assert.Throws<ObjectDisposedException>(() => map.Add(1, 1));
        Assert.Throws<ObjectDisposedException>(() => map.TryAdd(1, 1));
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(1, out _));
        Assert.Throws<ObjectDisposedException>(() => map.ContainsKey(1));
        Assert.Throws<ObjectDisposedException>(() => map.Remove(1));
        Assert.Throws<ObjectDisposedException>(() => map.Clear());
        Assert.Throws<ObjectDisposedException>(() => map.EnsureCapacity(1));
        Assert.Throws<ObjectDisposedException>(() => map.TrimExcess());
        Assert.Throws<ObjectDisposedException>(() => map.GetEnumerator());
        Assert.Throws<ObjectDisposedException>(() => map.GetValueRefOrNullRef(1));
        Assert.Throws<ObjectDisposedException>(() => map.GetValueRefOrAddDefault(1, out _));
        map.Validate();
    }

    [Fact]
    public void Dispose_AfterHeapDisposed_DoesNotThrow()
    {
        var heap = new SpanHeap();
        var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 1000; k++)
        {
            map.Add(k, k);
        }

        heap.Dispose();
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.ContainsKey(1));
    }

    [Fact]
    public void CollectionInterface_ContainsRemoveCopyTo_MatchDictionary()
    {
        using var map = new NativeMap<int, int>(0, _heap) { [1] = 10, [2] = 20 };
        ICollection<KeyValuePair<int, int>> collection = map;
        Assert.False(collection.IsReadOnly);
        Assert.True(collection.Contains(new(1, 10)));
        Assert.False(collection.Contains(new(1, 11)));
        Assert.False(collection.Remove(new(1, 11)));
        Assert.True(collection.Remove(new(1, 10)));
        collection.Add(new(3, 30));
        var array = new KeyValuePair<int, int>[4];
        collection.CopyTo(array, 1);
        Assert.Equal([new(2, 20), new(3, 30)], array.Skip(1).Take(2).OrderBy(e => e.Key));
        Assert.Throws<ArgumentNullException>(() => collection.CopyTo(null!, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => collection.CopyTo(array, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => collection.CopyTo(array, 5));
        Assert.Throws<ArgumentException>(() => collection.CopyTo(array, 3));
    }

    [Fact]
    public void DictionaryInterfaces_WorkThroughAbstractions()
    {
        using var map = new NativeMap<int, int>(0, _heap);
        IDictionary<int, int> dictionary = map;
        dictionary.Add(1, 1);
        dictionary[2] = 2;
        Assert.True(dictionary.ContainsKey(2));
        Assert.True(dictionary.TryGetValue(1, out int one));
        Assert.Equal(1, one);
        Assert.Equal([1, 2], dictionary.Keys.Order());
        Assert.Equal([1, 2], dictionary.Values.Order());
        IReadOnlyDictionary<int, int> readOnly = map;
        Assert.Equal(2, readOnly.Count);
        Assert.Equal([1, 2], readOnly.Keys.Order());
        Assert.Equal([1, 2], readOnly.Values.Order());
        Assert.True(dictionary.Remove(1));
        Assert.Equal(new Dictionary<int, int> { [2] = 2 }, new Dictionary<int, int>(map));
    }

    [Fact]
    public void KeysAndValues_AreReadOnly()
    {
        using var map = new NativeMap<int, int>(0, _heap) { [1] = 10 };
        ICollection<int> keys = map.Keys;
        ICollection<int> values = map.Values;
        Assert.True(keys.IsReadOnly);
        Assert.True(values.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => keys.Add(2));
        Assert.Throws<NotSupportedException>(() => keys.Remove(1));
        Assert.Throws<NotSupportedException>(() => keys.Clear());
        Assert.Throws<NotSupportedException>(() => values.Add(2));
        Assert.Throws<NotSupportedException>(() => values.Remove(10));
        Assert.Throws<NotSupportedException>(() => values.Clear());
        Assert.True(keys.Contains(1));
        Assert.False(keys.Contains(10));
        Assert.True(values.Contains(10));
        Assert.False(values.Contains(1));
        var array = new int[1];
        keys.CopyTo(array, 0);
        Assert.Equal(1, array[0]);
        values.CopyTo(array, 0);
        Assert.Equal(10, array[0]);
        Assert.Throws<ArgumentException>(() => keys.CopyTo(array, 1));
    }

    [Fact]
    public void ContainsValue_ScansValues()
    {
        using var map = new NativeMap<int, int>(0, _heap) { [1] = 10, [2] = 20 };
        Assert.True(map.ContainsValue(20));
        Assert.False(map.ContainsValue(30));
    }

    [Fact]
    public void Comparer_DefaultOrCustom_IsReported()
    {
        using var plain = new NativeMap<long, long>(0, EqualityComparer<long>.Default, _heap);
        Assert.Same(EqualityComparer<long>.Default, plain.Comparer);
        var custom = new Infrastructure.CollidingComparer(3);
        using var withCustom = new NativeMap<long, long>(0, custom, _heap);
        Assert.Same(custom, withCustom.Comparer);
    }
}
