using System.Text;

namespace NativeMap.BytesBenchmarks;

/// <summary>
/// The benchmark keys: key i is 16-40 ASCII bytes, <c>key:</c> + i in base 36 + <c>:</c> + letters to a length drawn
/// from i (so the keys are distinct, prefix-free, and their lengths spread evenly over 16-40). Made on demand from the
/// index into a caller's buffer, so a run over 10 M keys holds no managed array of them.
/// </summary>
public static class KeySet
{
    /// <summary>The longest key.</summary>
    public const int MaxLength = 40;

    private const int MinLength = 16;

    /// <summary>Writes key <paramref name="index"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public static int Write(long index, Span<byte> destination)
    {
        ulong mix = SplitMix(index);
        int length = MinLength + (int)(mix % (MaxLength - MinLength + 1));
        destination[0] = (byte)'k';
        destination[1] = (byte)'e';
        destination[2] = (byte)'y';
        destination[3] = (byte)':';
        int at = 4;
        long rest = index;
        Span<byte> digits = stackalloc byte[14];
        int n = 0;
        do
        {
            int digit = (int)(rest % 36);
            digits[n++] = (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            rest /= 36;
        }
        while (rest != 0);
        while (n > 0)
        {
            destination[at++] = digits[--n];
        }

        destination[at++] = (byte)':';
        for (; at < length; at++)
        {
            mix = (mix * 6364136223846793005UL) + 1442695040888963407UL;
            destination[at] = (byte)('a' + (int)((mix >> 33) % 26));
        }

        return length;
    }

    /// <summary>Key <paramref name="index"/> as a string (ASCII, so its UTF-8 bytes are <see cref="Write"/>'s).</summary>
    public static string String(long index)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(buffer[..Write(index, buffer)]);
    }

    /// <summary>Key <paramref name="index"/> as a new array.</summary>
    public static byte[] Bytes(long index)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return buffer[..Write(index, buffer)].ToArray();
    }

    /// <summary>A value of <paramref name="length"/> bytes whose first bytes carry <paramref name="index"/>.</summary>
    public static byte[] Value(long index, int length)
    {
        byte[] value = new byte[length];
        new Random((int)index).NextBytes(value);
        BitConverter.TryWriteBytes(value, index);
        return value;
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1 (fixed seed): the order lookups, overwrites and removes visit keys in.</summary>
    public static int[] Shuffled(int count, int seed)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        new Random(seed).Shuffle(order);
        return order;
    }

    private static ulong SplitMix(long index)
    {
        ulong z = (ulong)index + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
