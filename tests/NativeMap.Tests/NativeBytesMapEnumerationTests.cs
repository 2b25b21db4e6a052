using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// Enumeration with writes in between: every entry present at the start and not removed is yielded exactly once, while
/// removes shrink and evacuate the map, overwrites move entries, and (with a narrowed hash) many keys share an ord.
/// </summary>
public sealed class NativeBytesMapEnumerationTests : IDisposable
{
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly ITestOutputHelper _output;

    public NativeBytesMapEnumerationTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _heap.Dispose();

    public static TheoryData<ulong, int> Cases => new()
    {
        { ulong.MaxValue, 20_000 },
        { 0xFF00_0000_0000_00FFUL, 3000 },
        { 0x0000_0000_0000_000FUL, 600 }, // 16 hashes in all: long runs of equal ords, compared by key
        { 0, 200 },                       // one hash: every key ties
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RemovesAndOverwritesDuringEnumeration_YieldEachSurvivorExactlyOnce(ulong hashMask, int count)
    {
        int seed = TestSeed.Next(_output);
        var random = new Random(seed);
        using var map = new NativeBytesMap(new NativeBytesMapOptions { Heap = _heap }, new Random(seed), fixedSeed: null, hashMask);
        var keys = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string key = $"key-{i}";
            keys.Add(key);
            map.Set(key, Bytes.Of(key));
        }

        var removed = new HashSet<string>();
        var yielded = new HashSet<string>();
        foreach (NativeBytesMap.Entry entry in map)
        {
            string key = entry.KeyToString();
            Assert.False(removed.Contains(key), $"yielded {key} after removing it");
            Assert.True(yielded.Add(key), $"yielded {key} twice");
            string value = Bytes.Text(entry.ValueToArray());
            Assert.StartsWith(key, value, StringComparison.Ordinal);

            // Remove a few keys (this one, or others, yielded or not): the map shrinks and evacuates under the enumerator.
            for (int r = random.Next(3); r > 0; r--)
            {
                string victim = random.Next(4) == 0 ? key : keys[random.Next(keys.Count)];
                if (map.Remove(victim))
                {
                    removed.Add(victim);
                }
            }

            // Overwrite a key with a value of another size class: its entry moves.
            string other = keys[random.Next(keys.Count)];
            if (!removed.Contains(other))
            {
                map.Set(other, Bytes.Of(other + new string('!', random.Next(300))));
            }
        }

        foreach (string key in keys)
        {
            if (!removed.Contains(key))
            {
                Assert.True(yielded.Contains(key), $"{key} was present throughout but never yielded");
            }
        }

        _output.WriteLine($"{yielded.Count} yielded, {removed.Count} removed, {map.Count} left, resizes {map.ResizeCount}");
        map.Validate();
    }

    [Fact]
    public void AddingAKey_InvalidatesTheEnumerator_RemovingAndOverwritingDoNot()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set("a", Bytes.Of("1"));
        map.Set("b", Bytes.Of("2"));
        using (NativeBytesMap.Enumerator e = map.GetEnumerator())
        {
            Assert.True(e.MoveNext());
            map.Set("a", Bytes.Of("changed"));
            map.Set("b", Bytes.Of("changed"));
            map.Remove("zzz");
            Assert.True(e.MoveNext());
            map.Set("c", Bytes.Of("3"));
            Assert.Throws<InvalidOperationException>(() => e.MoveNext());
            Assert.Throws<InvalidOperationException>(() => e.Reset());
        }

        using NativeBytesMap.Enumerator again = map.GetEnumerator();
        int n = 0;
        while (again.MoveNext())
        {
            n++;
        }

        Assert.Equal(3, n);
        Assert.False(again.MoveNext());
        again.Reset();
        Assert.True(again.MoveNext());
    }

    [Fact]
    public void Entry_IsReadableUntilAnEntryIsFreed_ThenThrows()
    {
        using var map = new NativeBytesMap(0, _heap);
        map.Set("a", Bytes.Of("value-a"));
        map.Set("b", Bytes.Of("value-b"));
        using NativeBytesMap.Enumerator e = map.GetEnumerator();
        Assert.True(e.MoveNext());
        NativeBytesMap.Entry entry = e.Current;
        string key = entry.KeyToString();
        Assert.Equal(1, entry.KeyLength);
        Assert.Equal(7, entry.ValueLength);
        Assert.True(entry.KeyEquals(Bytes.Of(key)));
        Span<byte> buffer = stackalloc byte[16];
        Assert.True(entry.TryCopyKey(buffer, out int written));
        Assert.Equal(key, Bytes.Text(buffer[..written]));
        Assert.False(entry.TryCopyValue(buffer[..3], out written));
        Assert.Equal(0, written);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        entry.WriteKey(writer);
        entry.WriteValue(writer);
        Assert.Equal(key + "value-" + key, Bytes.Text(writer.WrittenSpan));

        // An overwrite in place changes what the entry reads; one that frees a block makes it unreadable.
        map.Set(key, Bytes.Of("VALUE-X"));
        Assert.Equal("VALUE-X", Bytes.Text(entry.ValueToArray()));
        map.Remove(key == "a" ? "b" : "a");
        Assert.Throws<InvalidOperationException>(() => entry.ValueLength);
        Assert.Throws<InvalidOperationException>(() => entry.KeyToArray());
        Assert.Throws<NotSupportedException>(() => default(NativeBytesMap.Entry).KeyLength);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void EmptyingTheMapDuringEnumeration_EndsIt()
    {
        using var map = new NativeBytesMap(0, _heap);
        for (int i = 0; i < 1000; i++)
        {
            map.Set($"k{i}", Bytes.Of("v"));
        }

        int yielded = 0;
        foreach (NativeBytesMap.Entry entry in map)
        {
            yielded++;
            for (int i = 0; i < 1000; i++)
            {
                map.Remove($"k{i}");
            }
        }

        Assert.Equal(1, yielded);
        Assert.Equal(0, map.Count);
        map.Validate();
    }
}
