using System.Buffers.Binary;

namespace NativeMap.Caching.Tests.Infrastructure;

/// <summary>
/// Values that say what they are: <c>[int key id][long version][int payload length][payload]</c>, the payload a
/// SplitMix64 stream seeded by (key id, version). A reader can tell a torn value, a value of another key and a value
/// that was never written from a good one, without knowing which version it should see.
/// </summary>
public static class CheckedValue
{
    public const int HeaderLength = 16;

    public static byte[] Create(int keyId, long version, int payloadLength)
    {
        byte[] value = new byte[HeaderLength + payloadLength];
        BinaryPrimitives.WriteInt32LittleEndian(value, keyId);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(4), version);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(12), payloadLength);
        Fill(value.AsSpan(HeaderLength), Seed(keyId, version));
        return value;
    }

    /// <summary>Null when <paramref name="value"/> is a whole, untorn value of key <paramref name="keyId"/>; otherwise what is wrong.</summary>
    public static string? Check(int keyId, ReadOnlySpan<byte> value)
    {
        if (value.Length < HeaderLength)
        {
            return $"value of {value.Length} bytes is shorter than the header";
        }

        int id = BinaryPrimitives.ReadInt32LittleEndian(value);
        long version = BinaryPrimitives.ReadInt64LittleEndian(value[4..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(value[12..]);
        if (id != keyId)
        {
            return $"value of key {id} returned for key {keyId}";
        }

        if (length != value.Length - HeaderLength)
        {
            return $"payload length {value.Length - HeaderLength}, header says {length}";
        }

        Span<byte> expected = length <= 4096 ? stackalloc byte[length] : new byte[length];
        Fill(expected, Seed(id, version));
        return value[HeaderLength..].SequenceEqual(expected) ? null : $"payload of key {id} version {version} is corrupt";
    }

    public static long VersionOf(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value[4..]);

    private static ulong Seed(int keyId, long version) => ((ulong)(uint)keyId << 40) ^ (ulong)version ^ 0x9E3779B97F4A7C15UL;

    private static void Fill(Span<byte> destination, ulong state)
    {
        int i = 0;
        while (i < destination.Length)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            for (int b = 0; b < 8 && i < destination.Length; b++, i++)
            {
                destination[i] = (byte)(z >> (8 * b));
            }
        }
    }
}
