using System.Buffers;
using System.Text;

namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// The reference a <see cref="NativeBytesMap"/> is checked against: a <c>Dictionary&lt;string, byte[]&gt;</c> whose keys
/// are the key bytes as Latin-1 strings (one char per byte, so byte-wise equality), plus helpers to compare the two.
/// </summary>
public sealed class BytesModel
{
    public Dictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    public static string Name(ReadOnlySpan<byte> key) => Encoding.Latin1.GetString(key);

    public static byte[] Bytes(string name) => Encoding.Latin1.GetBytes(name);

    public long KeyBytes => Entries.Keys.Sum(k => (long)k.Length);

    public long ValueBytes => Entries.Values.Sum(v => (long)v.Length);

    /// <summary>Checks that <paramref name="map"/> holds exactly the model's entries, through every read API.</summary>
    public void AssertSame(NativeBytesMap map, bool everyKey = true)
    {
        Assert.Equal(Entries.Count, map.Count);
        Assert.Equal(KeyBytes, map.KeyBytes);
        Assert.Equal(ValueBytes, map.ValueBytes);
        if (everyKey)
        {
            var writer = new ArrayBufferWriter<byte>();
            foreach ((string name, byte[] value) in Entries)
            {
                byte[] key = Bytes(name);
                writer.ResetWrittenCount();
                Assert.True(map.TryGetValue(key, writer), "TryGetValue missed a key");
                Assert.True(writer.WrittenSpan.SequenceEqual(value), "TryGetValue returned the wrong value");
                Assert.True(map.TryGetLength(key, out int length));
                Assert.Equal(value.Length, length);
            }
        }

        // Enumeration yields every key exactly once, with its value.
        var yielded = new HashSet<string>(StringComparer.Ordinal);
        foreach (NativeBytesMap.Entry entry in map)
        {
            string name = Name(entry.KeyToArray());
            Assert.True(yielded.Add(name), "the enumerator yielded a key twice");
            Assert.True(Entries.TryGetValue(name, out byte[]? value), "the enumerator yielded a key the model lacks");
            Assert.True(entry.ValueToArray().AsSpan().SequenceEqual(value), "the enumerator yielded the wrong value");
        }

        Assert.Equal(Entries.Count, yielded.Count);
    }
}
