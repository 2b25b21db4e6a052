using System.Buffers;

namespace NativeMap;

/*
 * String-keyed overloads: the key is the string's UTF-8 encoding, made in a 512-byte stack buffer (a pooled array for
 * longer keys; Utf8Key.cs), so a string key and its UTF-8 bytes name the same entry and no call allocates.
 */

public sealed partial class NativeBytesMap
{
    /// <summary>Sets the value of the key whose UTF-8 encoding is <paramref name="key"/>'s.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16, or the key or value is too long.</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        Set(k.Bytes, value);
    }

    /// <summary>Sets the value of a string key from a sequence.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16, or the key or value is too long.</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Set(string key, in ReadOnlySequence<byte> value)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        Set(k.Bytes, value);
    }

    /// <summary>Adds a string key when it is absent.</summary>
    /// <returns>True when added; false when the key was present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16, or the key or value is too long.</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryAdd(string key, ReadOnlySpan<byte> value)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return TryAdd(k.Bytes, value);
    }

    /// <summary>Copies the value of a string key into <paramref name="destination"/>.</summary>
    /// <returns>True when the key was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryGetValue(string key, IBufferWriter<byte> destination)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return TryGetValue(k.Bytes, destination);
    }

    /// <summary>Copies the value of a string key into a span (see <see cref="TryCopyValue(ReadOnlySpan{byte}, Span{byte}, out int)"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryCopyValue(string key, Span<byte> destination, out int written)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return TryCopyValue(k.Bytes, destination, out written);
    }

    /// <summary>The length of the value of a string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryGetLength(string key, out int length)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return TryGetLength(k.Bytes, out length);
    }

    /// <summary>Whether the map holds a string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool ContainsKey(string key)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return ContainsKey(k.Bytes);
    }

    /// <summary>Removes a string key.</summary>
    /// <returns>True when the key was found and removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool Remove(string key)
    {
        using Utf8Key k = Utf8Key.Encode(key, stackalloc byte[Utf8Key.StackBufferSize]);
        return Remove(k.Bytes);
    }
}
