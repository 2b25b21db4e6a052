using System.IO.Hashing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// The map's side of compaction, driven by a mover that moves (and poisons) whatever it is offered: every entry stays
/// byte-identical (checksums before and after), while enumerating and writing, with growth and shrink under way; the
/// automatic mode fires on fragmentation, works a bounded amount per write, and survives a heap that runs out.
/// </summary>
public sealed class NativeBytesMapCompactionTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly ITestOutputHelper _output;

    public NativeBytesMapCompactionTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _heap.Dispose();

    /// <summary>A checksum over every entry's key and value, independent of order.</summary>
    private static ulong Checksum(NativeBytesMap map)
    {
        ulong sum = 0;
        foreach (NativeBytesMap.Entry entry in map)
        {
            sum += (XxHash64.HashToUInt64(entry.KeyToArray()) * 31) + XxHash64.HashToUInt64(entry.ValueToArray());
        }

        return sum;
    }

    private static List<byte[]> Fill(NativeBytesMap map, BytesModel model, Random random, int count)
    {
        var strings = new ByteStrings(random);
        var keys = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            SetRandom(map, model, strings, keys);
        }

        return keys;
    }

    /// <summary>Sets a random key to a random value in the map and the model; a new key is appended to <paramref name="keys"/>.</summary>
    private static void SetRandom(NativeBytesMap map, BytesModel model, ByteStrings strings, List<byte[]> keys)
    {
        byte[] key = strings.Key();
        byte[] value = strings.Value();
        map.Set(key, value);
        if (model.Entries.TryAdd(BytesModel.Name(key), value))
        {
            keys.Add(key);
        }
        else
        {
            model.Entries[BytesModel.Name(key)] = value;
        }
    }

    [Fact]
    public void Compact_MovesEveryEntryOffered_AndKeepsThemByteIdentical()
    {
        var random = new Random(TestSeed.Next(_output));
        using var map = new NativeBytesMap(0, _heap);
        var model = new BytesModel();
        Fill(map, model, random, 5000);
        ulong before = Checksum(map);
        var mover = new CopyingMover(_heap);
        map.UseMover(mover);
        long moved = map.Compact();
        Assert.Equal(map.Count, mover.Moves);
        Assert.Equal(map.EntryBlockBytes, moved);
        Assert.Equal(before, Checksum(map));
        model.AssertSame(map);
        Assert.Equal(_heap.GetStats().AllocatedBytes, map.HeapBytes);
        map.Validate();
    }

    [Fact]
    public void Compact_WithoutHeapSupport_MovesNothing()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), Bytes.Of("v"));
        map.UseMover(null);
        Assert.Equal(0, map.Compact());
        Assert.Equal("v", Bytes.Text(GetValue(map, "k")));
    }

    private static byte[] GetValue(NativeBytesMap map, string key)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.True(map.TryGetValue(Bytes.Of(key), writer));
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Compact_DuringGrowthAndDuringShrink_FinishesTheResize()
    {
        var random = new Random(TestSeed.Next(_output));
        using var map = new NativeBytesMap(0, _heap);
        var model = new BytesModel();
        var mover = new CopyingMover(_heap) { EveryOther = true };
        map.UseMover(mover);
        var strings = new ByteStrings(random);
        var keys = new List<byte[]>();
        while (!map.IsEvacuating || map.IsShrinking)
        {
            SetRandom(map, model, strings, keys);
        }

        ulong before = Checksum(map);
        Assert.True(map.Compact() > 0);
        Assert.False(map.IsEvacuating);
        Assert.Equal(before, Checksum(map));
        map.Validate();

        while (!map.IsShrinking)
        {
            byte[] key = keys[^1];
            keys.RemoveAt(keys.Count - 1);
            if (map.Remove(key))
            {
                model.Entries.Remove(BytesModel.Name(key));
            }
        }

        before = Checksum(map);
        map.Compact();
        Assert.False(map.IsEvacuating);
        Assert.Equal(before, Checksum(map));
        model.AssertSame(map);
        map.Validate();
    }

    [Fact]
    public void Compaction_WhileEnumeratingAndWriting_YieldsEachSurvivorOnceWithItsValue()
    {
        var random = new Random(TestSeed.Next(_output));
        using var map = new NativeBytesMap(0, _heap);
        var model = new BytesModel();
        List<byte[]> keys = Fill(map, model, random, 8000);
        var mover = new CopyingMover(_heap) { EveryOther = true };
        map.UseMover(mover);
        var yielded = new HashSet<string>();
        var removed = new HashSet<string>();
        int step = 0;
        foreach (NativeBytesMap.Entry entry in map)
        {
            string name = BytesModel.Name(entry.KeyToArray());
            Assert.True(yielded.Add(name), "yielded twice");
            Assert.False(removed.Contains(name), "yielded after its removal");
            Assert.True(entry.ValueToArray().AsSpan().SequenceEqual(model.Entries[name]), "wrong value");
            byte[] victim = keys[random.Next(keys.Count)];
            if (map.Remove(victim))
            {
                removed.Add(BytesModel.Name(victim));
                model.Entries.Remove(BytesModel.Name(victim));
            }

            if (++step % 500 == 0)
            {
                map.Compact(); // a full pass in the middle of the enumeration, while removes shrink the map
                Assert.Throws<InvalidOperationException>(() => entry.ValueLength); // moved: the old Entry is stale
            }
        }

        foreach (string name in model.Entries.Keys)
        {
            Assert.Contains(name, yielded);
        }

        Assert.True(mover.Moves > 0);
        model.AssertSame(map);
        map.Validate();
    }

    [Fact]
    public void Automatic_FiresOnFragmentation_AndBoundsTheWorkPerWrite()
    {
        var options = new NativeBytesMapOptions
        {
            Heap = _heap,
            Compaction = new CompactionOptions { TriggerRatio = 1.5, MinReclaimableBytes = 1 << 20, CheckInterval = 64, EntriesPerWrite = 4 },
        };
        using var map = new NativeBytesMap(options);
        var mover = new CopyingMover(_heap);
        map.UseMover(mover);
        for (int i = 0; i < 20_000; i++)
        {
            map.Set(Bytes.Of($"key-{i}"), new byte[200]);
        }

        HeapStats filled = _heap.GetStats();
        _output.WriteLine($"after the fill: in use {filled.InUseBytes}, allocated {filled.AllocatedBytes}, {mover.Moves} moves");
        Assert.Equal(0, mover.Moves); // a freshly filled heap is dense: no pass
        int worst = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 10 != 0)
            {
                int before = mover.Moves;
                map.Remove(Bytes.Of($"key-{i}"));
                worst = Math.Max(worst, mover.Moves - before);
            }
        }

        _output.WriteLine($"{mover.Moves} moves, at most {worst} in one write");
        Assert.True(mover.Moves > 0, "scattered deletes did not start a pass");
        Assert.InRange(worst, 1, 4 + 16); // whole buckets: a little over EntriesPerWrite at most
        for (int i = 0; i < 20_000; i += 10)
        {
            Assert.Equal(200, GetValue(map, $"key-{i}").Length);
        }

        map.Validate();
    }

    [Fact]
    public void Automatic_Off_NeverMoves()
    {
        var options = new NativeBytesMapOptions
        {
            Heap = _heap,
            Compaction = new CompactionOptions { Automatic = false, TriggerRatio = 1.01, MinReclaimableBytes = 0, CheckInterval = 1 },
        };
        using var map = new NativeBytesMap(options);
        var mover = new CopyingMover(_heap);
        map.UseMover(mover);
        for (int i = 0; i < 5000; i++)
        {
            map.Set(Bytes.Of($"key-{i}"), new byte[200]);
        }

        for (int i = 0; i < 5000; i++)
        {
            if (i % 10 != 0)
            {
                map.Remove(Bytes.Of($"key-{i}"));
            }
        }

        Assert.Equal(0, mover.Moves);
        Assert.True(map.Compact() > 0); // the explicit call still works
    }

    [Fact]
    public void HeapRunningOut_DuringCompaction_LeavesEveryEntryIntact()
    {
        var random = new Random(TestSeed.Next(_output));
        using var map = new NativeBytesMap(0, _heap);
        var model = new BytesModel();
        Fill(map, model, random, 3000);
        ulong before = Checksum(map);
        var mover = new CopyingMover(_heap) { FailAfter = 700 };
        map.UseMover(mover);
        Assert.Throws<OutOfMemoryException>(() => map.Compact());
        Assert.Equal(700, mover.Moves);
        Assert.Equal(before, Checksum(map));
        model.AssertSame(map);
        map.Validate();
        map.Set(Bytes.Of("after"), Bytes.Of("fine"));
        map.Validate();
    }

    /// <summary>A map of <paramref name="count"/> 1,000-byte values on the test's heap with every key whose index is not a
    /// multiple of 10 removed: the scattered delete that leaves every span a tenth full.</summary>
    private NativeBytesMap ThinnedMap(int count, CompactionOptions compaction, int valueSize = 1000)
    {
        var map = new NativeBytesMap(new NativeBytesMapOptions { Heap = _heap, Compaction = compaction });
        byte[] value = new byte[valueSize];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(value, i);
            map.Set(Bytes.Of($"key-{i}"), value);
        }

        for (int i = 0; i < count; i++)
        {
            if (i % 10 != 0)
            {
                map.Remove(Bytes.Of($"key-{i}"));
            }
        }

        return map;
    }

    private static void CheckThinned(NativeBytesMap map, int count, int valueSize = 1000)
    {
        Assert.Equal(count / 10, map.Count);
        for (int i = 0; i < count; i += 10)
        {
            byte[] value = GetValue(map, $"key-{i}");
            Assert.Equal(valueSize, value.Length);
            Assert.Equal(i, BitConverter.ToInt32(value));
        }
    }

    [Theory]
    [InlineData(1000, 50_000)]
    [InlineData(100, 200_000)] // 56 blocks per one-page span: every span equally sparse, which the hint alone leaves
    public void Compact_OnTheRealHeap_PacksTheSpansAndReleasesThem(int valueSize, int count)
    {
        using NativeBytesMap map = ThinnedMap(count, new CompactionOptions { Automatic = false }, valueSize);
        FragmentationTotals before = _heap.GetFragmentationTotals();
        ulong checksum = Checksum(map);
        long moved = map.Compact();
        FragmentationTotals after = _heap.GetFragmentationTotals();
        long released = _heap.FreeOSMemory();
        _output.WriteLine($"small spans {before.SmallSpanBytes >> 20} MiB for {before.SmallUsedBytes >> 20} MiB used -> {after.SmallSpanBytes >> 20} MiB for {after.SmallUsedBytes >> 20} MiB; moved {moved >> 20} MiB; released {released >> 20} MiB");
        Assert.True(before.SmallSpanBytes > 4 * before.SmallUsedBytes, "the delete did not fragment the heap");
        Assert.True(after.SmallSpanBytes < 1.3 * after.SmallUsedBytes, "compaction left the spans sparse");
        Assert.True(released > (before.SmallSpanBytes - after.SmallSpanBytes) / 2);
        Assert.Equal(checksum, Checksum(map));
        CheckThinned(map, count, valueSize);
        map.Validate();
        _heap.Validate();
    }

    [Fact]
    public void Automatic_OnTheRealHeap_CompactsDuringTheDeletes_WithNoCall()
    {
        using NativeBytesMap map = ThinnedMap(50_000, new CompactionOptions { MinReclaimableBytes = 1 << 20 });
        FragmentationTotals after = _heap.GetFragmentationTotals();
        _output.WriteLine($"{map.EntriesMoved} entries moved; small spans {after.SmallSpanBytes >> 20} MiB for {after.SmallUsedBytes >> 20} MiB used");
        Assert.True(map.EntriesMoved > 1000);
        Assert.True(after.SmallSpanBytes < 2 * after.SmallUsedBytes, "the automatic mode left the spans sparse");
        CheckThinned(map, 50_000);
        map.Validate();
        _heap.Validate();
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = new CompactionOptions { TriggerRatio = 1.0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = new CompactionOptions { TriggerRatio = double.NaN } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = new CompactionOptions { EntriesPerWrite = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = new CompactionOptions { CheckInterval = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = new CompactionOptions { MinReclaimableBytes = -1 } }));
        Assert.Throws<ArgumentNullException>(() => new NativeBytesMap(new NativeBytesMapOptions { Compaction = null! }));
    }
}
