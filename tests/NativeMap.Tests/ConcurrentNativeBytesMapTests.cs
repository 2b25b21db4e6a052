using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>The concurrent store's API, one behaviour at a time (expiry, eviction and stress have files of their own).</summary>
public sealed class ConcurrentNativeBytesMapTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentNativeBytesMap _store;

    public ConcurrentNativeBytesMapTests()
    {
        _store = new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { Heap = _heap, TimeProvider = _clock, ShardCount = 4, ActiveExpiryInterval = null });
    }

    public void Dispose()
    {
        _store.Dispose();
        _heap.Dispose();
    }

    private static string? Get(ConcurrentNativeBytesMap store, string key)
    {
        var writer = new ArrayBufferWriter<byte>();
        return store.TryGetValue(Bytes.Of(key), writer) ? Bytes.Text(writer.WrittenSpan) : null;
    }

    [Fact]
    public void SetGetRemove_RoundTrip()
    {
        _store.Set(Bytes.Of("a"), Bytes.Of("one"));
        _store.Set(Bytes.Of("b"), new ReadOnlySequence<byte>(Bytes.Of("two")));
        _store.Set(Bytes.Of(""), ReadOnlySpan<byte>.Empty);
        Assert.Equal("one", Get(_store, "a"));
        Assert.Equal("two", Get(_store, "b"));
        Assert.Equal("", Get(_store, ""));
        Assert.Null(Get(_store, "c"));
        Assert.Equal(3, _store.Count);
        Assert.True(_store.ContainsKey(Bytes.Of("a")));
        Assert.True(_store.TryGetLength(Bytes.Of("b"), out int length));
        Assert.Equal(3, length);
        Span<byte> buffer = stackalloc byte[8];
        Assert.True(_store.TryCopyValue(Bytes.Of("a"), buffer, out int written));
        Assert.Equal("one", Bytes.Text(buffer[..written]));
        Assert.False(_store.TryCopyValue(Bytes.Of("a"), buffer[..2], out written));
        Assert.Equal(0, written);
        Assert.True(_store.Remove(Bytes.Of("a")));
        Assert.False(_store.Remove(Bytes.Of("a")));
        Assert.Null(Get(_store, "a"));
        Assert.Equal(2, _store.Count);
        _store.Validate();
    }

    [Fact]
    public void Set_Conditions_FollowRedisNxXx()
    {
        byte[] key = Bytes.Of("k");
        Assert.Equal(SetResult.ConditionNotMet, _store.Set(key, Bytes.Of("x"), 0, SetCondition.IfPresent));
        Assert.Null(Get(_store, "k"));
        Assert.Equal(SetResult.Stored, _store.Set(key, Bytes.Of("1"), 0, SetCondition.IfAbsent));
        Assert.Equal(SetResult.ConditionNotMet, _store.Set(key, Bytes.Of("2"), 0, SetCondition.IfAbsent));
        Assert.Equal("1", Get(_store, "k"));
        Assert.Equal(SetResult.Stored, _store.Set(key, Bytes.Of("3"), 0, SetCondition.IfPresent));
        Assert.Equal("3", Get(_store, "k"));
        Assert.False(_store.TryAdd(key, Bytes.Of("4")));
        Assert.True(_store.TryAdd(Bytes.Of("other"), Bytes.Of("4")));
    }

    [Fact]
    public void Set_WithOldValueReader_HandsOverTheOldValueOnce()
    {
        byte[] key = Bytes.Of("k");
        var seen = new List<string>();
        SetResult result = _store.Set(key, new ReadOnlySequence<byte>(Bytes.Of("first")), 0, SetCondition.Always, false, ref seen,
            static (ReadOnlySpan<byte> old, ref List<string> s) => s.Add(Bytes.Text(old)));
        Assert.Equal(SetResult.Stored, result);
        Assert.Empty(seen);
        result = _store.Set(key, new ReadOnlySequence<byte>(Bytes.Of("second")), 0, SetCondition.IfAbsent, false, ref seen,
            static (ReadOnlySpan<byte> old, ref List<string> s) => s.Add(Bytes.Text(old)));
        Assert.Equal(SetResult.ConditionNotMet, result);
        Assert.Equal(["first"], seen);
        result = _store.Set(key, new ReadOnlySequence<byte>(Bytes.Of("third")), 0, SetCondition.Always, false, ref seen,
            static (ReadOnlySpan<byte> old, ref List<string> s) => s.Add(Bytes.Text(old)));
        Assert.Equal(SetResult.Stored, result);
        Assert.Equal(["first", "first"], seen);
        Assert.Equal("third", Get(_store, "k"));
    }

    [Fact]
    public void TryRead_GivesLengthAndBytesFromOneRead()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("hello"));
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(_store.TryRead(Bytes.Of("k"), ref writer, static (ReadOnlySpan<byte> value, ref ArrayBufferWriter<byte> w) =>
        {
            w.Write(Bytes.Of($"${value.Length}\r\n"));
            w.Write(value);
        }));
        Assert.Equal("$5\r\nhello", Bytes.Text(writer.WrittenSpan));
        Assert.False(_store.TryRead(Bytes.Of("absent"), ref writer, static (ReadOnlySpan<byte> value, ref ArrayBufferWriter<byte> w) => throw new InvalidOperationException()));
    }

    [Fact]
    public void HeaderedEntries_ReadsSkipTheHeader_EntryReaderSeesBothAndMovesTheDeadline()
    {
        long now = _store.UtcNowTicks;
        byte[] header = [1, 2, 3, 4];
        Assert.Equal(SetResult.Stored, _store.Set(Bytes.Of("k"), header, new ReadOnlySequence<byte>(Bytes.Of("payload")), now + 1000));
        Assert.Equal("payload", Get(_store, "k"));
        Assert.True(_store.TryGetLength(Bytes.Of("k"), out int length));
        Assert.Equal(7, length);
        (string Header, string Value, long Deadline) seen = default;
        Assert.True(_store.TryRead(Bytes.Of("k"), ref seen, static (ReadOnlySpan<byte> h, ReadOnlySpan<byte> v, long deadline, ref (string, string, long) s) =>
        {
            s = (Convert.ToHexString(h), Bytes.Text(v), deadline);
            return deadline + 5000;
        }));
        Assert.Equal(("01020304", "payload", now + 1000), seen);
        Assert.True(_store.TryGetDeadline(Bytes.Of("k"), out long deadline));
        Assert.Equal(now + 6000, deadline);

        // Returning a deadline in the past removes the entry.
        Assert.True(_store.TryRead(Bytes.Of("k"), ref seen, static (ReadOnlySpan<byte> h, ReadOnlySpan<byte> v, long d, ref (string, string, long) s) => 1));
        Assert.False(_store.ContainsKey(Bytes.Of("k")));
        _store.Validate();
    }

    [Fact]
    public void EntryReader_ThatThrows_LeavesTheEntryAndReleasesTheLock()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("v"), _store.UtcNowTicks + 100);
        int state = 0;
        Assert.Throws<FormatException>(() => _store.TryRead(Bytes.Of("k"), ref state,
            static (ReadOnlySpan<byte> h, ReadOnlySpan<byte> v, long d, ref int s) => throw new FormatException()));
        Assert.True(_store.TryGetDeadline(Bytes.Of("k"), out long deadline));
        Assert.Equal(_store.UtcNowTicks + 100, deadline);
        Assert.Equal("v", Get(_store, "k"));
        var other = new Thread(() => _store.Remove(Bytes.Of("k")));
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(10)), "the lock was not released");
        Assert.False(_store.ContainsKey(Bytes.Of("k")));
    }

    [Fact]
    public void Callbacks_CallingTheStore_Throw()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("v"));
        ConcurrentNativeBytesMap store = _store;
        Assert.Throws<InvalidOperationException>(() => store.TryRead(Bytes.Of("k"), ref store,
            static (ReadOnlySpan<byte> value, ref ConcurrentNativeBytesMap s) => s.Remove(Bytes.Of("k"))));
        Assert.Equal("v", Get(_store, "k"));
        _store.Validate();
    }

    [Fact]
    public void RemoveWithReader_ReadsThenRemoves_AndKeepsTheKeyWhenTheReaderThrows()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("gone"));
        string? seen = null;
        Assert.Throws<FormatException>(() => _store.Remove(Bytes.Of("k"), ref seen, static (ReadOnlySpan<byte> v, ref string? s) => throw new FormatException()));
        Assert.True(_store.ContainsKey(Bytes.Of("k")));
        Assert.True(_store.Remove(Bytes.Of("k"), ref seen, static (ReadOnlySpan<byte> v, ref string? s) => s = Bytes.Text(v)));
        Assert.Equal("gone", seen);
        Assert.False(_store.ContainsKey(Bytes.Of("k")));
        Assert.False(_store.Remove(Bytes.Of("k"), ref seen, static (ReadOnlySpan<byte> v, ref string? s) => s = "again"));
        Assert.Equal("gone", seen);
    }

    [Fact]
    public void Append_GrowsInPlaceAndAcrossSizeClasses_KeepsTheDeadline()
    {
        long deadline = _store.UtcNowTicks + 10_000;
        _store.Set(Bytes.Of("k"), Bytes.Of("ab"), deadline);
        var expected = new System.Text.StringBuilder("ab");
        for (int i = 0; i < 300; i++)
        {
            string piece = new((char)('a' + (i % 26)), i % 7);
            expected.Append(piece);
            Assert.Equal(expected.Length, _store.Append(Bytes.Of("k"), Bytes.Of(piece)));
        }

        Assert.Equal(expected.ToString(), Get(_store, "k"));
        Assert.True(_store.TryGetDeadline(Bytes.Of("k"), out long kept));
        Assert.Equal(deadline, kept);
        Assert.Equal(3, _store.Append(Bytes.Of("new"), Bytes.Of("xyz")));
        Assert.Equal("xyz", Get(_store, "new"));
        _store.Validate();
    }

    [Theory]
    [InlineData("10", 5, IncrementResult.Done, 15)]
    [InlineData("-10", -5, IncrementResult.Done, -15)]
    [InlineData("0", 0, IncrementResult.Done, 0)]
    [InlineData("9223372036854775807", 1, IncrementResult.Overflow, 0)]
    [InlineData("-9223372036854775808", -1, IncrementResult.Overflow, 0)]
    [InlineData("-9223372036854775808", 1, IncrementResult.Done, -9223372036854775807)]
    [InlineData("007", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData("+1", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData("-0", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData(" 1", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData("1.5", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData("", 1, IncrementResult.NotAnInteger, 0)]
    [InlineData("92233720368547758070", 1, IncrementResult.NotAnInteger, 0)]
    public void Increment_FollowsRedisIntegerRules(string stored, long delta, IncrementResult expected, long result)
    {
        _store.Set(Bytes.Of("n"), Bytes.Of(stored));
        Assert.Equal(expected, _store.Increment(Bytes.Of("n"), delta, out long value));
        Assert.Equal(result, value);
        Assert.Equal(expected == IncrementResult.Done ? result.ToString(System.Globalization.CultureInfo.InvariantCulture) : stored, Get(_store, "n"));
    }

    [Fact]
    public void Increment_AbsentKeyCountsAsZero()
    {
        Assert.Equal(IncrementResult.Done, _store.Increment(Bytes.Of("n"), -3, out long value));
        Assert.Equal(-3, value);
        Assert.Equal("-3", Get(_store, "n"));
    }

    [Fact]
    public void Update_Declining_ChangesNothing()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("v"));
        int calls = 0;
        Assert.False(_store.Update(Bytes.Of("k"), ref calls,
            static (ReadOnlySpan<byte> current, bool exists, ref int c) => { c++; return -1; },
            static (ReadOnlySpan<byte> current, Span<byte> destination, ref int c) => throw new InvalidOperationException()));
        Assert.Equal(1, calls);
        Assert.Equal("v", Get(_store, "k"));
        Assert.Throws<FormatException>(() => _store.Update(Bytes.Of("k"), ref calls,
            static (ReadOnlySpan<byte> current, bool exists, ref int c) => 100,
            static (ReadOnlySpan<byte> current, Span<byte> destination, ref int c) => throw new FormatException()));
        Assert.Equal("v", Get(_store, "k"));
        _store.Validate();
    }

    [Fact]
    public void Batch_ReadManyInOrder_SetManyAtomic_RemoveMany_CountExisting()
    {
        byte[][] keys = [Bytes.Of("a"), Bytes.Of("b"), Bytes.Of("c"), Bytes.Of("a")];
        byte[][] values = [Bytes.Of("1"), Bytes.Of("2"), Bytes.Of("3"), Bytes.Of("4")];
        var batch = new KeyList(keys, values);
        _store.SetMany(ref batch);
        Assert.Equal("4", Get(_store, "a"));
        var read = new KeyList([Bytes.Of("c"), Bytes.Of("x"), Bytes.Of("a"), Bytes.Of("b")]);
        var seen = new List<string>();
        _store.ReadMany(ref read, ref seen, static (int index, ReadOnlySpan<byte> value, bool found, ref List<string> s) =>
            s.Add($"{index}:{(found ? Bytes.Text(value) : "nil")}"));
        Assert.Equal(["0:3", "1:nil", "2:4", "3:2"], seen);
        Assert.Equal(4, _store.CountExisting(ref batch));
        var nx = new KeyList([Bytes.Of("z"), Bytes.Of("b")], [Bytes.Of("9"), Bytes.Of("9")]);
        Assert.False(_store.SetManyIfNoneExist(ref nx));
        Assert.Null(Get(_store, "z"));
        nx = new KeyList([Bytes.Of("z"), Bytes.Of("y")], [Bytes.Of("9"), Bytes.Of("8")]);
        Assert.True(_store.SetManyIfNoneExist(ref nx));
        Assert.Equal("8", Get(_store, "y"));
        var remove = new KeyList([Bytes.Of("a"), Bytes.Of("b"), Bytes.Of("nope"), Bytes.Of("a")]);
        Assert.Equal(2, _store.RemoveMany(ref remove));
        Assert.Equal(3, _store.Count);
        _store.Validate();
    }

    [Fact]
    public void Batch_ManyKeysAcrossEveryShard_UsesPooledHashes()
    {
        byte[][] keys = Enumerable.Range(0, 500).Select(i => Bytes.Of($"key-{i}")).ToArray();
        var batch = new KeyList(keys, keys);
        _store.SetMany(ref batch);
        Assert.Equal(500, _store.Count);
        Assert.Equal(500, _store.CountExisting(ref batch));
        Assert.Equal(500, _store.RemoveMany(ref batch));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Scan_VisitsEveryKeyPresentThroughout_WhileTheMapGrowsAndShrinks()
    {
        var random = new Random(7);
        var stable = new HashSet<string>();
        for (int i = 0; i < 3000; i++)
        {
            stable.Add($"stable-{i}");
            _store.Set(Bytes.Of($"stable-{i}"), Bytes.Of("v"));
        }

        var seen = new HashSet<string>();
        ulong cursor = 0;
        int churn = 0;
        int calls = 0;
        do
        {
            cursor = _store.Scan(cursor, 50, ref seen, static (ReadOnlySpan<byte> key, ref HashSet<string> s) => s.Add(Bytes.Text(key)));
            calls++;

            // Between calls: add many keys (growth), then remove them (shrink).
            int phase = calls / 10 % 2;
            for (int i = 0; i < 400; i++)
            {
                if (phase == 0)
                {
                    _store.Set(Bytes.Of($"churn-{churn++}"), Bytes.Of("x"));
                }
                else if (churn > 0)
                {
                    _store.Remove(Bytes.Of($"churn-{random.Next(churn)}"));
                }
            }
        }
        while (cursor != 0);

        Assert.True(stable.IsSubsetOf(seen), $"{stable.Except(seen).Count()} stable keys were never visited");
        Assert.True(calls > 20);
        _store.Validate();
    }

    [Fact]
    public void Scan_RejectsForeignCursors()
    {
        int state = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Scan(ulong.MaxValue, 10, ref state, static (ReadOnlySpan<byte> k, ref int s) => s++));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Scan(0, 0, ref state, static (ReadOnlySpan<byte> k, ref int s) => s++));
    }

    [Fact]
    public void ClearAndDetach_EmptyTheStore_DetachedMemoryFreedOnDispose()
    {
        for (int i = 0; i < 1000; i++)
        {
            _store.Set(Bytes.Of($"k{i}"), new byte[100]);
        }

        long inUse = _heap.GetStats().AllocatedBytes;
        IDisposable detached = _store.DetachAll();
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, _store.GetStatistics().UsedBytes);
        Assert.True(_heap.GetStats().AllocatedBytes >= inUse - 1024, "detached entries were freed before Dispose");
        detached.Dispose();
        detached.Dispose();
        Assert.True(_heap.GetStats().AllocatedBytes < inUse / 2);
        for (int i = 0; i < 1000; i++)
        {
            _store.Set(Bytes.Of($"k{i}"), new byte[100]);
        }

        _store.Clear();
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, _store.UsedBytes);
        _store.Validate();
    }

    [Fact]
    public void UsedBytes_TracksTheShardsWithinTheFlushThreshold()
    {
        _store.MemoryLimit = 64 << 20;
        for (int i = 0; i < 5000; i++)
        {
            _store.Set(Bytes.Of($"key-{i}"), new byte[i % 300]);
        }

        long exact = _store.GetStatistics().UsedBytes;
        Assert.InRange(_store.UsedBytes, exact - ((64 << 20) / 16), exact + ((64 << 20) / 16));
        Assert.True(_store.TryGetMemoryUsage(Bytes.Of("key-299"), out long usage));
        Assert.InRange(usage, 299 + 9, 299 + 9 + 100);
        _store.Validate();
    }

    [Fact]
    public void OversizeInput_IsRefusedBeforeAnyAllocation()
    {
        _store.Set(Bytes.Of("k"), Bytes.Of("v"));
        long before = _heap.GetStats().AllocatedBytes;
        using var hugeKey = new HugeBuffer(NativeBytesMap.MaxLength + 1);
        Assert.Throws<ArgumentException>(() => _store.Set(hugeKey.Span, Bytes.Of("v")));
        Assert.Throws<ArgumentException>(() => _store.Set(Bytes.Of("k"), HugeBuffer.UnreadableSequence(NativeBytesMap.MaxLength + 1)));
        Assert.Throws<ArgumentException>(() => _store.Set(Bytes.Of("k"), [1], HugeBuffer.UnreadableSequence(NativeBytesMap.MaxLength), 0));
        Assert.Equal(before, _heap.GetStats().AllocatedBytes);
        Assert.Equal("v", Get(_store, "k"));
    }

    [Fact]
    public void Disposed_EveryCallThrows()
    {
        var store = new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { Heap = _heap, ShardCount = 2, ActiveExpiryInterval = null });
        store.Set(Bytes.Of("k"), Bytes.Of("v"));
        store.Dispose();
        store.Dispose();
        Assert.True(store.IsDisposed);
        var writer = new ArrayBufferWriter<byte>();
        int state = 0;
        Assert.Throws<ObjectDisposedException>(() => store.Set(Bytes.Of("k"), Bytes.Of("v")));
        Assert.Throws<ObjectDisposedException>(() => store.TryGetValue(Bytes.Of("k"), writer));
        Assert.Throws<ObjectDisposedException>(() => store.ContainsKey(Bytes.Of("k")));
        Assert.Throws<ObjectDisposedException>(() => store.Remove(Bytes.Of("k")));
        Assert.Throws<ObjectDisposedException>(() => store.Append(Bytes.Of("k"), Bytes.Of("v")));
        Assert.Throws<ObjectDisposedException>(() => store.Scan(0, 10, ref state, static (ReadOnlySpan<byte> k, ref int s) => s++));
        Assert.Throws<ObjectDisposedException>(() => store.Clear());
        Assert.Throws<ObjectDisposedException>(() => store.RemoveExpired());
        Assert.Throws<ObjectDisposedException>(() => store.GetStatistics());
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { ShardCount = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { ShardCount = 2048 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { EvictionSamples = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { MemoryLimit = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { ActiveExpiryInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.MemoryLimit = -5);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.EvictionPolicy = (EvictionPolicy)99);
        Assert.Throws<ArgumentNullException>(() => new ConcurrentNativeBytesMap((SpanHeap)null!));
    }
}
