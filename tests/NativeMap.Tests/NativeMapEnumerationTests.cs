using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

public sealed class NativeMapEnumerationTests
{
    private readonly ITestOutputHelper _output;

    public NativeMapEnumerationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Enumerate_MidGrowthAdvancedByRemoves_YieldsEachSurvivorOnce()
    {
        var random = new Random(TestSeed.Next(_output));
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        var keys = new List<long>();
        while (!map.IsEvacuating || map.BucketShift < 10)
        {
            long key = random.NextInt64();
            if (map.TryAdd(key, ~key))
            {
                keys.Add(key);
            }
        }

        Assert.False(map.IsShrinking);
        var audit = new EnumerationAudit<long>(keys);
        int resizeEndsSeen = 0;
        bool wasEvacuating = true;
        int step = 0;
        foreach (KeyValuePair<long, long> entry in map)
        {
            audit.Yielded(entry.Key);
            Assert.Equal(~entry.Key, entry.Value);

            // Remove a random key every step: each remove evacuates up to two old buckets, so the growth in progress
            // finishes during the enumeration and, as the map empties, shrinks start and finish under it too.
            long victim = keys[random.Next(keys.Count)];
            if (map.Remove(victim))
            {
                audit.Removed(victim);
            }

            if (wasEvacuating && !map.IsEvacuating)
            {
                resizeEndsSeen++;
            }

            wasEvacuating = map.IsEvacuating;
            if (++step % 512 == 0)
            {
                map.Validate();
            }
        }

        audit.AssertComplete();
        Assert.True(resizeEndsSeen >= 1, "the growth should have finished during the enumeration");
        map.Validate();
    }

    [Fact]
    public void Enumerate_MidShrinkAdvancedByRemoves_YieldsEachSurvivorOnce()
    {
        var random = new Random(TestSeed.Next(_output));
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        var keys = FillAndStartShrink(random, map, 50_000, key => key * 3, out int next);

        var live = keys.GetRange(next, keys.Count - next);
        var audit = new EnumerationAudit<long>(live);
        int shrinksStarted = 0;
        bool wasShrinking = true;
        foreach (KeyValuePair<long, long> entry in map)
        {
            audit.Yielded(entry.Key);
            Assert.Equal(entry.Key * 3, entry.Value);

            // Remove the current entry and one we may not have reached yet: the shrink in progress completes and
            // further shrinks (two old buckets merging into one under the enumerator) start and complete.
            Assert.True(map.Remove(entry.Key));
            audit.Removed(entry.Key);
            long other = live[random.Next(live.Count)];
            if (map.Remove(other))
            {
                audit.Removed(other);
            }

            if (map.IsShrinking && !wasShrinking)
            {
                shrinksStarted++;
            }

            wasShrinking = map.IsShrinking;
        }

        audit.AssertComplete();
        Assert.True(shrinksStarted >= 2, $"expected further shrinks during the enumeration, saw {shrinksStarted}");
        Assert.Empty(map);
        map.Validate();
    }

    [Fact]
    public void Enumerate_StartedMidShrinkRemovingNothing_ScansBothOldChainsOfEachBucket()
    {
        // While a shrink is in progress, each bucket not yet evacuated is fed by two old chains; an enumeration that
        // starts then and removes nothing scans both.
        var random = new Random(TestSeed.Next(_output));
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        var keys = FillAndStartShrink(random, map, 20_000, key => key ^ 5, out int next);

        var audit = new EnumerationAudit<long>(keys.GetRange(next, keys.Count - next));
        foreach (KeyValuePair<long, long> entry in map)
        {
            audit.Yielded(entry.Key);
            Assert.Equal(entry.Key ^ 5, entry.Value);
        }

        Assert.True(map.IsShrinking);
        audit.AssertComplete();
        Assert.Equal(keys.Count - next, audit.YieldedCount);
        map.Validate();
    }

    [Fact]
    public void Enumerate_RemoveNothingDuringGrowth_YieldsEveryEntryOnce()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<int, int>(0, heap);
        int i = 0;
        while (!map.IsEvacuating || map.BucketShift < 8)
        {
            map.Add(i, i);
            i++;
        }

        var audit = new EnumerationAudit<int>(Enumerable.Range(0, i));
        foreach (KeyValuePair<int, int> entry in map)
        {
            audit.Yielded(entry.Key);
            Assert.Equal(entry.Key, entry.Value);
        }

        audit.AssertComplete();
        Assert.Equal(i, audit.YieldedCount);
    }

    [Fact]
    public void Enumerate_OverwriteValues_YieldsCurrentValues()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 5000; k++)
        {
            map.Add(k, k);
        }

        int count = 0;
        foreach (KeyValuePair<long, long> entry in map)
        {
            Assert.Equal(entry.Key, entry.Value);
            map[entry.Key] = -entry.Key;
            map[(entry.Key + 1) % 5000] = map[(entry.Key + 1) % 5000]; // overwrite another, with its own value
            count++;
        }

        Assert.Equal(5000, count);
        foreach (KeyValuePair<long, long> entry in map)
        {
            Assert.Equal(-entry.Key, entry.Value);
        }
    }

    [Fact]
    public void MoveNext_AfterAdd_ThrowsInvalidOperation()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap) { [1] = 1, [2] = 2 };
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        map.Add(3, 3);
        Assert.Throws<InvalidOperationException>(() => e.MoveNext());
    }

    [Fact]
    public void MoveNext_AfterTrimExcess_ThrowsInvalidOperation()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap) { [1] = 1, [2] = 2 };
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        map.TrimExcess();
        Assert.Throws<InvalidOperationException>(() => e.MoveNext());
    }

    [Fact]
    public void MoveNext_AfterOverwriteOfExistingKey_DoesNotThrow()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap) { [1] = 1, [2] = 2 };
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        map[1] = 10;
        map[2] = 20;
        Assert.True(map.TryAdd(1, 5) is false);
        Assert.True(e.MoveNext());
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void MoveNext_AfterClear_EndsLikeDictionary()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long k = 0; k < 100; k++)
        {
            map.Add(k, k);
        }

        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        map.Clear();
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void MoveNext_AfterDispose_ThrowsObjectDisposed()
    {
        using var heap = new SpanHeap();
        var map = new NativeMap<long, long>(0, heap) { [1] = 1 };
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => e.MoveNext());
    }

    [Fact]
    public void Reset_RestartsEnumeration()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<int, int>(0, heap);
        for (int k = 0; k < 50; k++)
        {
            map.Add(k, k);
        }

        NativeMap<int, int>.Enumerator e = map.GetEnumerator();
        int first = 0;
        while (e.MoveNext())
        {
            first++;
        }

        e.Reset();
        int second = 0;
        while (e.MoveNext())
        {
            second++;
        }

        Assert.Equal(50, first);
        Assert.Equal(50, second);
    }

    [Fact]
    public void NonGenericCurrent_BeforeMoveNextOrAfterEnd_Throws()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<int, int>(0, heap) { [1] = 1 };
        System.Collections.IEnumerator e = ((System.Collections.IEnumerable)map).GetEnumerator();
        Assert.Throws<InvalidOperationException>(() => e.Current);
        Assert.True(e.MoveNext());
        Assert.Equal(new KeyValuePair<int, int>(1, 1), e.Current);
        Assert.False(e.MoveNext());
        Assert.Throws<InvalidOperationException>(() => e.Current);
    }

    [Fact]
    public void Enumerate_EmptyAndNeverAllocated_YieldsNothing()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<int, int>(0, heap);
        foreach (KeyValuePair<int, int> entry in map)
        {
            Assert.Fail($"yielded {entry}");
        }

        map.Add(1, 1);
        map.Remove(1);
        foreach (KeyValuePair<int, int> entry in map)
        {
            Assert.Fail($"yielded {entry}");
        }
    }

    [Fact]
    public void MoveNext_AfterFailedInsertThatStartedGrowth_ThrowsInvalidOperation()
    {
        // An insert that starts a growth and then fails (here the comparer throws while the evacuation hashes old
        // entries) adds no key, but the array has doubled: an enumerator that went on would miss the entries moved to
        // the upper half. The growth itself must invalidate enumerators.
        using var heap = new SpanHeap();
        var comparer = new ThrowingComparer();
        using var map = new NativeMap<long, long>(0, comparer, heap);
        long k = 0;
        while (!(map.BucketShift >= 4 && map.Count == NativeMap<long, long>.CapacityOf(map.BucketShift)))
        {
            map.Add(k, k);
            k++;
            map.EvacuateAll();
        }

        int b0 = map.BucketShift;
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        comparer.CallsBeforeThrow = 1; // the new key's own hash passes; the evacuation's first hash throws
        Assert.Throws<InvalidDataException>(() => map.Add(-1, -1));
        comparer.CallsBeforeThrow = -1;
        Assert.False(map.ContainsKey(-1));
        Assert.Equal(b0 + 1, map.BucketShift);
        map.Validate();
        Assert.Throws<InvalidOperationException>(() => e.MoveNext());
    }

    [Fact]
    public void MoveNext_ComparerThrowsWhileFillingBucket_ContinuingYieldsEveryEntryOnce()
    {
        // Mid-growth, a virtual bucket fed by an unevacuated old bucket is picked out by hashing its entries. If the
        // comparer throws there and the caller goes on, the enumerator must fill that bucket again, not yield the
        // part it had.
        using var heap = new SpanHeap();
        var comparer = new ThrowingComparer();
        using var map = new NativeMap<long, long>(0, comparer, heap);
        long k = 0;
        while (!map.IsEvacuating || map.BucketShift < 4)
        {
            map.Add(k, k);
            k++;
        }

        var audit = new EnumerationAudit<long>(Enumerable.Range(0, (int)k).Select(i => (long)i));
        NativeMap<long, long>.Enumerator e = map.GetEnumerator();
        int throws = 0;
        while (true)
        {
            comparer.CallsBeforeThrow = 3;
            bool moved;
            try
            {
                moved = e.MoveNext();
            }
            catch (InvalidDataException)
            {
                throws++;
                comparer.CallsBeforeThrow = -1;
                moved = e.MoveNext(); // go on after the failure
            }

            if (!moved)
            {
                break;
            }

            audit.Yielded(e.Current.Key);
        }

        comparer.CallsBeforeThrow = -1;
        Assert.True(throws > 0, "the comparer should have thrown inside MoveNext");
        audit.AssertComplete();
        map.Validate();
    }

    [Fact]
    public void Enumerate_LongChainsWithEqualHashes_YieldsEachOnce()
    {
        // One hash code for all keys: one chain, every 64-bit hash equal, order decided by key bytes; the enumerator's
        // 8-entry buffer refills many times, and removes during enumeration punch holes in the chain.
        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, new CollidingComparer(1), heap);
        for (long k = 0; k < 300; k++)
        {
            map.Add(k, k);
        }

        var audit = new EnumerationAudit<long>(Enumerable.Range(0, 300).Select(i => (long)i));
        foreach (KeyValuePair<long, long> entry in map)
        {
            audit.Yielded(entry.Key);
            if (entry.Key % 3 == 0)
            {
                map.Remove(entry.Key);
                audit.Removed(entry.Key);
                map.Remove(299 - entry.Key);
                audit.Removed(299 - entry.Key);
            }
        }

        audit.AssertComplete();
        map.Validate();
    }

    [Fact]
    public void Enumerate_PaddedKeysWithEqualHashes_YieldsEachOnce()
    {
        // Key24 has 4 bytes of padding. With one hash code for all keys, the enumerator orders them by their bytes, so
        // those bytes (padding included) must survive every move: give each key random padding, then shrink the map
        // under the enumerator.
        var random = new Random(TestSeed.Next(_output));
        using var heap = new SpanHeap();
        using var map = new NativeMap<Key24, int>(0, new ConstantHashComparer(), heap);
        var keys = new List<Key24>();
        for (int i = 0; i < 400; i++)
        {
            Key24 key = WithRandomPadding(new Key24(i, -i, i % 7), random);
            map.Add(key, i);
            keys.Add(key);
        }

        var audit = new EnumerationAudit<Key24>(keys);
        foreach (KeyValuePair<Key24, int> entry in map)
        {
            audit.Yielded(entry.Key);
            Assert.True(map.Remove(entry.Key));
            audit.Removed(entry.Key);
            Key24 other = keys[random.Next(keys.Count)];
            if (map.Remove(other))
            {
                audit.Removed(other);
            }
        }

        audit.AssertComplete();
        map.Validate();
    }

    [Fact]
    public void KeysAndValues_EnumerateLive_MatchEntries()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<int, long>(0, heap);
        for (int k = 0; k < 1000; k++)
        {
            map.Add(k, k * 10L);
        }

        Assert.Equal(Enumerable.Range(0, 1000), map.Keys.Order());
        Assert.Equal(Enumerable.Range(0, 1000).Select(k => k * 10L), map.Values.Order());
        Assert.Equal(1000, map.Keys.Count);
        Assert.Equal(1000, map.Values.Count);
    }

    private static unsafe Key24 WithRandomPadding(Key24 key, Random random)
    {
        byte* bytes = stackalloc byte[sizeof(Key24)];
        *(Key24*)bytes = key;
        for (int i = 20; i < sizeof(Key24); i++)
        {
            bytes[i] = (byte)random.Next(256);
        }

        return *(Key24*)bytes;
    }

    /// <summary>Adds <paramref name="count"/> random keys, finishes the growth, then removes keys in random order until a
    /// shrink starts. Returns the keys in removal order; the first <paramref name="removed"/> were removed.</summary>
    private static List<long> FillAndStartShrink(Random random, NativeMap<long, long> map, int count, Func<long, long> value, out int removed)
    {
        var keys = new List<long>();
        for (int i = 0; i < count; i++)
        {
            long key = random.NextInt64();
            if (map.TryAdd(key, value(key)))
            {
                keys.Add(key);
            }
        }

        map.EvacuateAll();
        Shuffle(random, keys);
        removed = 0;
        while (!map.IsShrinking)
        {
            Assert.True(map.Remove(keys[removed++]));
        }

        return keys;
    }

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
