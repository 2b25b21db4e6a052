using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace NativeMap.Caching;

/// <summary>
/// How a <see cref="string"/> key becomes the bytes the store keys on.
/// </summary>
/// <remarks>
/// <para><b>Encoding.</b> A key that is valid UTF-16 is stored as its UTF-8 bytes: ASCII keys, the common case, cost
/// one byte a character and encode at vector speed. A key that is not valid UTF-16 (a lone surrogate) cannot be
/// written as UTF-8 without replacing the surrogate by U+FFFD, which would make two different keys one; such a key is
/// stored as the marker byte <see cref="Utf16Marker"/> followed by its UTF-16LE code units. The byte 0xFF never
/// occurs in UTF-8, so no key of one form equals a key of the other, and the mapping is injective: two strings share
/// stored bytes exactly when they are equal (ordinal), which is <see cref="string.Equals(string)"/>, the comparison
/// <c>MemoryDistributedCache</c> uses.</para>
/// <para><b>Scratch.</b> Callers encode into a stack buffer of <see cref="StackBufferBytes"/> bytes when the key fits
/// (<see cref="MaxByteCount"/>) and into a pooled array otherwise (<see cref="Rent"/> / <see cref="Return"/>): no
/// operation allocates for its key.</para>
/// </remarks>
internal static class CacheKey
{
    /// <summary>First byte of a key stored as UTF-16: never a byte of UTF-8.</summary>
    public const byte Utf16Marker = 0xFF;

    /// <summary>The stack buffer callers use for keys up to this many encoded bytes (170 characters of any kind).</summary>
    public const int StackBufferBytes = 512;

    /// <summary>The most bytes <paramref name="length"/> UTF-16 code units can encode to, in either form.</summary>
    public static int MaxByteCount(int length) => (int)Math.Min(int.MaxValue, Math.Max(3L * length, 1L + 2L * length));

    /// <summary>Encodes <paramref name="key"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxByteCount"/> bytes) and returns the number of bytes written.</summary>
    public static int Encode(ReadOnlySpan<char> key, Span<byte> destination)
    {
        OperationStatus status = Utf8.FromUtf16(key, destination, out int read, out int written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return written;
        }

        // InvalidData: a lone surrogate. (DestinationTooSmall cannot happen: the caller sized the buffer for the worst case.)
        destination[0] = Utf16Marker;
        ReadOnlySpan<byte> units = MemoryMarshal.AsBytes(key);
        if (BitConverter.IsLittleEndian)
        {
            units.CopyTo(destination[1..]);
        }
        else
        {
            for (int i = 0; i < key.Length; i++)
            {
                destination[1 + (2 * i)] = (byte)key[i];
                destination[2 + (2 * i)] = (byte)(key[i] >> 8);
            }
        }

        return 1 + units.Length;
    }

    /// <summary>Encodes <paramref name="key"/> into <paramref name="stackBuffer"/> when it fits, else into a pooled
    /// array returned in <paramref name="rented"/> (give it back with <see cref="Return"/>); returns the encoded bytes.</summary>
    public static ReadOnlySpan<byte> Encode(string key, Span<byte> stackBuffer, out byte[]? rented)
    {
        rented = null;
        Span<byte> destination = MaxByteCount(key.Length) <= stackBuffer.Length ? stackBuffer : (rented = Rent(key.Length));
        return destination[..Encode(key, destination)];
    }

    /// <summary>A pooled buffer for a key too long for the stack buffer.</summary>
    public static byte[] Rent(int length) => ArrayPool<byte>.Shared.Rent(MaxByteCount(length));

    /// <summary>Returns a buffer from <see cref="Rent"/>; null is ignored.</summary>
    public static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
