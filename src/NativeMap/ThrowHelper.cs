using System.Diagnostics.CodeAnalysis;

namespace NativeMap;

/// <summary>Cold throw paths, kept out of line so that the methods that call them stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowKeyNotFound<TKey>(TKey key) =>
        throw new KeyNotFoundException($"The given key '{key}' was not present in the map.");

    [DoesNotReturn]
    public static void ThrowDuplicateKey<TKey>(TKey key) =>
        throw new ArgumentException($"An item with the same key has already been added. Key: {key}", nameof(key));

    [DoesNotReturn]
    public static void ThrowCapacityNegative(string paramName, int capacity) =>
        throw new ArgumentOutOfRangeException(paramName, capacity, "Capacity must not be negative.");

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string typeName) => throw new ObjectDisposedException(typeName);

    [DoesNotReturn]
    public static void ThrowConcurrentWrite() =>
        throw new InvalidOperationException(
            "Concurrent use of a NativeMap detected: a write overlapped another operation. NativeMap is not thread-safe for writers.");

    [DoesNotReturn]
    public static void ThrowEnumeratorVersion() =>
        throw new InvalidOperationException("The map was modified (a key was added); enumeration operation may not execute.");

    [DoesNotReturn]
    public static void ThrowEnumerationNotRunning() =>
        throw new InvalidOperationException("Enumeration has either not started or has already finished.");

    [DoesNotReturn]
    public static void ThrowNotSupported(string message) => throw new NotSupportedException(message);

    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowInvariant(string name, string detail) =>
        throw new InvalidOperationException($"NativeMap invariant '{name}' is broken: {detail}");
}
