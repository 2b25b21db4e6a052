using System.Diagnostics.CodeAnalysis;

namespace NativeMap;

/// <summary>Cold throw paths of <see cref="NativeBytesMap"/> and <see cref="ConcurrentNativeBytesMap"/>, out of line.</summary>
internal static class BytesThrowHelper
{
    [DoesNotReturn]
    public static void ThrowKeyTooLong(long length, string paramName) =>
        throw new ArgumentException($"The key is {length} bytes; the limit is {BytesEntry.MaxLength} bytes (512 MiB).", paramName);

    [DoesNotReturn]
    public static void ThrowValueTooLong(long length, string paramName) =>
        throw new ArgumentException($"The value is {length} bytes; the limit is {BytesEntry.MaxLength} bytes (512 MiB).", paramName);

    [DoesNotReturn]
    public static void ThrowConcurrentWrite() =>
        throw new InvalidOperationException(
            "Concurrent use of a NativeBytesMap detected: a write overlapped another operation. NativeBytesMap is not thread-safe for writers.");

    [DoesNotReturn]
    public static void ThrowWriteInCallback() =>
        throw new InvalidOperationException(
            "The map cannot be written while a TryRead callback is reading it: the callback's span would point to freed memory.");

    [DoesNotReturn]
    public static void ThrowModifiedDuringRead() =>
        throw new InvalidOperationException(
            "The map was written while a value was being copied into the destination (by the destination itself); the copy was abandoned.");

    [DoesNotReturn]
    public static void ThrowStaleEntry() =>
        throw new InvalidOperationException(
            "The map was written since this entry was read from the enumerator (an entry was removed, moved or resized); read what you need before writing.");

    [DoesNotReturn]
    public static void ThrowInvalidUtf16(string paramName) =>
        throw new ArgumentException("The key is not valid UTF-16 (it contains a lone surrogate) and cannot be encoded as UTF-8.", paramName);

    [DoesNotReturn]
    public static void ThrowReentrantCall() =>
        throw new InvalidOperationException(
            "A callback called back into the store it was called from. Callbacks run under the store's lock and must not use the store.");

    [DoesNotReturn]
    public static void ThrowInvariant(string name, string detail) =>
        throw new InvalidOperationException($"NativeBytesMap invariant '{name}' is broken: {detail}");
}
