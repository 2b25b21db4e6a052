using System.Buffers;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>NativeBytesMap's public API one behaviour at a time: semantics, bad input, misuse, memory.</summary>
public sealed class NativeBytesMapApiTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });

    public void Dispose() => _heap.Dispose();

    private static string? Get(NativeBytesMap map, string key)
    {
        var writer = new ArrayBufferWriter<byte>();
        return map.TryGetValue(Bytes.Of(key), writer) ? Bytes.Text(writer.WrittenSpan) : null;
    }

    [Fact]
    public void Constructors_ValidateAndChooseTheHeap()
    {
        using var shared = new NativeBytesMap();
        Assert.Same(SpanHeap.Shared, shared.Heap);
        using var sized = new NativeBytesMap(100, _heap);
        Assert.Same(_heap, sized.Heap);
        Assert.True(sized.Capacity >= 100);
        using var withOptions = new NativeBytesMap(new NativeBytesMapOptions { Heap = _heap, Capacity = 5 });
        Assert.Equal(8, withOptions.Capacity);
        Assert.Throws<ArgumentNullException>(() => new NativeBytesMap(0, null!));
        Assert.Throws<ArgumentNullException>(() => new NativeBytesMap(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeBytesMap(-1, _heap));
        var disposedHeap = new SpanHeap();
        disposedHeap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new NativeBytesMap(0, disposedHeap));
    }

    [Fact]
    public void EmptyKeysAndValues_BinaryBytes_KeysDifferingOnlyInLength_AreDistinct()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set([], []);
        map.Set([0], [1]);
        map.Set([0, 0], [2]);
        map.Set([0, 0, 0], []);
        map.Set([0xFF, 0x00, 0x80], [0, 0, 0]);
        Assert.Equal(5, map.Count);
        Span<byte> buffer = stackalloc byte[4];
        Assert.True(map.TryCopyValue([], buffer, out int written));
        Assert.Equal(0, written);
        Assert.True(map.TryCopyValue([0, 0], buffer, out written));
        Assert.Equal([2], buffer[..written].ToArray());
        Assert.True(map.TryGetLength([0, 0, 0], out int length));
        Assert.Equal(0, length);
        Assert.False(map.ContainsKey([0, 0, 0, 0]));
        Assert.True(map.Remove([0]));
        Assert.True(map.ContainsKey([0, 0]));
        Assert.True(map.ContainsKey([]));
        Assert.Equal(8, map.KeyBytes);
        Assert.Equal(4, map.ValueBytes);
        map.Validate();
    }

    [Fact]
    public void Overwrite_InPlaceAndIntoANewSizeClass_KeepsAccounting()
    {
        using var map = new NativeBytesMap(0, _heap);
        byte[] key = Bytes.Of("key");
        foreach (int size in new[] { 10, 12, 100, 5, 40_000, 70_000, 3, 0, 33_000 })
        {
            byte[] value = new byte[size];
            Random.Shared.NextBytes(value);
            map.Set(key, value);
            var writer = new ArrayBufferWriter<byte>();
            Assert.True(map.TryGetValue(key, writer));
            Assert.True(writer.WrittenSpan.SequenceEqual(value));
            Assert.Equal(size, map.ValueBytes);
            Assert.Equal(_heap.GetStats().AllocatedBytes, map.HeapBytes);
            map.Validate();
        }
    }

    [Fact]
    public void TryAdd_DuplicateKey_ReturnsFalseAndKeepsTheValue()
    {
        using var map = new NativeBytesMap(0, _heap);
        Assert.True(map.TryAdd(Bytes.Of("k"), Bytes.Of("first")));
        Assert.False(map.TryAdd(Bytes.Of("k"), Bytes.Of("second")));
        Assert.False(map.TryAdd(Bytes.Of("k"), new ReadOnlySequence<byte>(Bytes.Of("third"))));
        Assert.Equal("first", Get(map, "k"));
    }

    [Fact]
    public void TryCopyValue_ShortDestination_CopiesNothing()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), Bytes.Of("12345"));
        byte[] buffer = [9, 9, 9, 9];
        Assert.False(map.TryCopyValue(Bytes.Of("k"), buffer, out int written));
        Assert.Equal(0, written);
        Assert.Equal([9, 9, 9, 9], buffer);
        Assert.False(map.TryCopyValue(Bytes.Of("absent"), buffer, out written));
    }

    [Fact]
    public void TryGetValue_LargeValue_IsWrittenInChunks()
    {
        using var map = new NativeBytesMap(0, _heap);
        byte[] value = new byte[1 << 20];
        Random.Shared.NextBytes(value);
        map.Set(Bytes.Of("big"), ChunkedSequence.Split(value, new Random(3)));
        var writer = new ChunkingWriter();
        Assert.True(map.TryGetValue(Bytes.Of("big"), writer));
        Assert.True(writer.Written.AsSpan().SequenceEqual(value));
        Assert.True(writer.Calls >= (1 << 20) / 4096);
    }

    /// <summary>A writer that hands out at most 1,000 bytes per GetSpan.</summary>
    private sealed class ChunkingWriter : IBufferWriter<byte>
    {
        private readonly byte[] _chunk = new byte[1000];
        private readonly List<byte> _written = [];

        public int Calls { get; private set; }

        public byte[] Written => [.. _written];

        public Action? OnGetSpan { get; init; }

        public void Advance(int count) => _written.AddRange(_chunk.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => _chunk;

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Calls++;
            OnGetSpan?.Invoke();
            return _chunk;
        }
    }

    [Fact]
    public void BadInput_OversizeNullAndDisposed_LeaveTheMapIntact()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), Bytes.Of("v"));
        long allocated = _heap.GetStats().AllocatedBytes;
        using var hugeKey = new HugeBuffer(NativeBytesMap.MaxLength + 1);
        Assert.Throws<ArgumentException>(() => map.Set(hugeKey.Span, Bytes.Of("v")));
        Assert.Throws<ArgumentException>(() => map.Set(Bytes.Of("k"), HugeBuffer.UnreadableSequence(NativeBytesMap.MaxLength + 1)));
        Assert.Throws<ArgumentException>(() => map.TryAdd(Bytes.Of("new"), HugeBuffer.UnreadableSequence(int.MaxValue)));
        Assert.Throws<ArgumentNullException>(() => map.TryGetValue(Bytes.Of("k"), null!));
        Assert.Throws<ArgumentNullException>(() => map.Remove(Bytes.Of("k"), null!));
        Assert.Throws<ArgumentNullException>(() => map.TryRead<int>(Bytes.Of("k"), 0, null!));
        Assert.Throws<ArgumentNullException>(() => map.Set((string)null!, Bytes.Of("v")));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.EnsureCapacity(-1));
        Assert.Equal(allocated, _heap.GetStats().AllocatedBytes);
        Assert.Equal("v", Get(map, "k"));
        Assert.Equal(1, map.Count);
        map.Validate();
    }

    [Fact]
    public void KeyAndValueOfExactlyTheLimit_AreAccepted()
    {
        using var heap = new SpanHeap(new SpanHeapOptions { ScavengerEnabled = false });
        using var map = new NativeBytesMap(0, heap);
        byte[] value = new byte[NativeBytesMap.MaxLength];
        value[^1] = 42;
        map.Set(Bytes.Of("k"), value);
        Assert.True(map.TryGetLength(Bytes.Of("k"), out int length));
        Assert.Equal(NativeBytesMap.MaxLength, length);
        map.Validate();
        map.Clear();
        heap.FreeOSMemory();
    }

    [Fact]
    public void Disposed_EveryCallThrows_AndDisposeIsIdempotent()
    {
        var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), Bytes.Of("v"));
        map.Dispose();
        map.Dispose();
        Assert.True(map.IsDisposed);
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ObjectDisposedException>(() => map.Set(Bytes.Of("k"), Bytes.Of("v")));
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(Bytes.Of("k"), writer));
        Assert.Throws<ObjectDisposedException>(() => map.TryCopyValue(Bytes.Of("k"), new byte[4], out _));
        Assert.Throws<ObjectDisposedException>(() => map.ContainsKey(Bytes.Of("k")));
        Assert.Throws<ObjectDisposedException>(() => map.Remove(Bytes.Of("k")));
        Assert.Throws<ObjectDisposedException>(() => map.Clear());
        Assert.Throws<ObjectDisposedException>(() => map.GetEnumerator());
        map.Validate();
    }

    [Fact]
    public void Finalizer_FreesAnUndisposedMap()
    {
        static void Abandon(SpanHeap heap)
        {
            var map = new NativeBytesMap(0, heap);
            for (int i = 0; i < 1000; i++)
            {
                map.Set(Bytes.Of($"k{i}"), new byte[100]);
            }
        }

        Abandon(_heap);
        Assert.True(_heap.GetStats().LiveObjects > 1000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(0, _heap.GetStats().LiveObjects);
    }

    [Fact]
    public void ReentrantWrites_FromWritersAndCallbacks_AreRefused()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), new byte[10_000]);
        map.Set(Bytes.Of("other"), Bytes.Of("x"));

        // A destination that writes to the map while a value is copied into it: the copy stops before reading freed memory.
        var meddler = new ChunkingWriter { OnGetSpan = () => map.Remove(Bytes.Of("k")) };
        Assert.Throws<InvalidOperationException>(() => map.TryGetValue(Bytes.Of("k"), meddler));
        Assert.False(map.ContainsKey(Bytes.Of("k")));
        map.Validate();

        // Remove(key, writer) holds the write flag while it calls the writer: a write from it throws, the key stays.
        map.Set(Bytes.Of("k"), new byte[10_000]);
        var writer = new ChunkingWriter { OnGetSpan = () => map.Set(Bytes.Of("other"), Bytes.Of("y")) };
        Assert.Throws<InvalidOperationException>(() => map.Remove(Bytes.Of("k"), writer));
        Assert.True(map.ContainsKey(Bytes.Of("k")));
        Assert.Equal("x", Get(map, "other"));

        // TryRead's callback may read but not write.
        Assert.Throws<InvalidOperationException>(() => map.TryRead(Bytes.Of("k"), map, static (ReadOnlySpan<byte> value, NativeBytesMap m) => m.Remove(Bytes.Of("k"))));
        int length = 0;
        Assert.True(map.TryRead(Bytes.Of("other"), map, static (ReadOnlySpan<byte> value, NativeBytesMap m) => Assert.True(m.ContainsKey(Bytes.Of("k")))));
        Assert.True(map.ContainsKey(Bytes.Of("k")));
        _ = length;
        map.Validate();
    }

    [Fact]
    public void ReadOverlappingAWrite_Throws_AndTheWriteUnwindsCleanly()
    {
        // The write flag is what catches a second thread's overlapping operation; re-entrance shows it without a race.
        using var map = new NativeBytesMap(0, _heap);
        map.Set(Bytes.Of("k"), new byte[100]);
        var writer = new ChunkingWriter { OnGetSpan = () => map.ContainsKey(Bytes.Of("k")) };
        Assert.Throws<InvalidOperationException>(() => map.Remove(Bytes.Of("k"), writer));
        Assert.True(map.ContainsKey(Bytes.Of("k")));
        map.Set(Bytes.Of("k2"), Bytes.Of("v"));
        map.Validate();
    }

    [Fact]
    public void OutOfMemory_LeavesTheMapUnchanged()
    {
        var os = new FailingOsMemory();
        using var heap = new SpanHeap(new SpanHeapOptions { ScavengerEnabled = false, ArenaSize = 4 << 20, OsMemory = os });
        using var map = new NativeBytesMap(0, heap);
        var model = new BytesModel();
        var random = new Random(5);
        int failures = 0;
        for (int i = 0; i < 20_000 && failures < 50; i++)
        {
            os.FailReserve = i > 300;
            byte[] key = Bytes.Of($"key-{random.Next(5000)}");
            byte[] value = new byte[random.Next(20) == 0 ? random.Next(40_000, 5 << 20) : random.Next(200)];
            value.AsSpan().Fill((byte)i);
            try
            {
                map.Set(key, value);
                model.Entries[BytesModel.Name(key)] = value;
            }
            catch (OutOfMemoryException)
            {
                failures++;
                map.Validate();
            }
        }

        Assert.True(failures > 0, "the heap never ran out");
        model.AssertSame(map);
        map.Validate();
    }

    [Fact]
    public void StringKeys_AreTheirUtf8Bytes()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set("héllo", Bytes.Of("1"));
        Assert.True(map.ContainsKey(Bytes.Of("héllo")));
        Assert.True(map.ContainsKey("héllo"));
        map.Set(Bytes.Of("naïve"), Bytes.Of("2"));
        Assert.True(map.TryCopyValue("naïve", new byte[4], out int written));
        Assert.Equal(1, written);
        Assert.True(map.TryGetLength("héllo", out int length));
        Assert.Equal(1, length);
        Assert.True(map.TryAdd("new", Bytes.Of("3")));
        Assert.False(map.TryAdd("new", Bytes.Of("4")));
        map.Set("seq", new ReadOnlySequence<byte>(Bytes.Of("5")));
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(map.TryGetValue("seq", writer));

        // Longer than the stack buffer: encoded into a pooled array.
        string longKey = new('€', 1000);
        map.Set(longKey, Bytes.Of("long"));
        Assert.True(map.ContainsKey(System.Text.Encoding.UTF8.GetBytes(longKey)));
        Assert.True(map.Remove(longKey));
        Assert.True(map.Remove("héllo"));
        Assert.Throws<ArgumentException>(() => map.Set("bad\uD800", Bytes.Of("x")));
        Assert.Throws<ArgumentException>(() => map.ContainsKey(new string('\uDC00', 300)));
        Assert.Throws<ArgumentNullException>(() => map.ContainsKey((string)null!));
        map.Validate();
    }

    [Fact]
    public void HeapBytes_IsWhatTheHeapHoldsForTheMap_AndGoesBackOnRemoveAndClear()
    {
        using var map = new NativeBytesMap(0, _heap);
        for (int i = 0; i < 20_000; i++)
        {
            map.Set(Bytes.Of($"key-{i}"), new byte[i % 500]);
        }

        Assert.Equal(_heap.GetStats().AllocatedBytes, map.HeapBytes);
        int peakShift = map.BucketShift;
        for (int i = 0; i < 19_990; i++)
        {
            map.Remove(Bytes.Of($"key-{i}"));
        }

        Assert.True(map.BucketShift < peakShift - 5, $"the map did not shrink: B = {map.BucketShift} (was {peakShift})");
        Assert.Equal(_heap.GetStats().AllocatedBytes, map.HeapBytes);
        map.Clear();
        Assert.Equal(0, map.HeapBytes);
        Assert.Equal(0, _heap.GetStats().LiveObjects);
        map.Validate();
    }

    [Fact]
    public void EnsureCapacityAndTrimExcess_ResizeNow()
    {
        using var map = new NativeBytesMap(0, _heap);
        Assert.Equal(0, map.Capacity);
        Assert.True(map.EnsureCapacity(10_000) >= 10_000);
        for (int i = 0; i < 1000; i++)
        {
            map.Set(Bytes.Of($"k{i}"), Bytes.Of("v"));
        }

        int presized = map.BucketShift;
        for (int i = 0; i < 990; i++)
        {
            map.Remove(Bytes.Of($"k{i}"));
        }

        Assert.Equal(presized, map.BucketShift); // the capacity floor holds
        map.TrimExcess();
        Assert.True(map.BucketShift <= 1);
        Assert.Equal(10, map.Count);
        map.Validate();
    }
}
