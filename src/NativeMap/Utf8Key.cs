using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace NativeMap;

/// <summary>
/// A <see cref="string"/> key encoded as UTF-8 into a caller's stack buffer, or into an array rented from
/// <see cref="ArrayPool{T}.Shared"/> when it does not fit (returned by <see cref="Dispose"/>). Invalid UTF-16 (a lone
/// surrogate) is refused rather than replaced, so two different strings never become one key.
/// </summary>
internal ref struct Utf8Key
{
    /// <summary>Bytes of stack the string overloads give the encoder: keys up to this many UTF-8 bytes cost no pool rental.</summary>
    public const int StackBufferSize = 512;

    private byte[]? _rented;

    private Utf8Key(ReadOnlySpan<byte> bytes, byte[]? rented)
    {
        Bytes = bytes;
        _rented = rented;
    }

    /// <summary>The UTF-8 bytes of the key.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Encodes <paramref name="key"/>, into <paramref name="stackBuffer"/> when it fits.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16, or its UTF-8 form is longer than the limit.</exception>
    public static Utf8Key Encode(string key, Span<byte> stackBuffer, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        byte[]? rented = null;
        Span<byte> buffer = stackBuffer;
        if ((long)key.Length * 3 > stackBuffer.Length)
        {
            int count = Encoding.UTF8.GetByteCount(key); // counts a lone surrogate as a replacement; FromUtf16 refuses it below
            if (count > BytesEntry.MaxLength)
            {
                BytesThrowHelper.ThrowKeyTooLong(count, paramName);
            }

            if (count > stackBuffer.Length)
            {
                rented = ArrayPool<byte>.Shared.Rent(count);
                buffer = rented;
            }
        }

        OperationStatus status = Utf8.FromUtf16(key, buffer, out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            BytesThrowHelper.ThrowInvalidUtf16(paramName);
        }

        return new Utf8Key(buffer[..written], rented);
    }

    /// <summary>Returns a rented array to the pool.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
