using System.Diagnostics.CodeAnalysis;

namespace NativeMap.Allocator;

/// <summary>Cold throw paths, kept out of line so that callers stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowArgument(string message, string? paramName = null) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string name) => throw new ObjectDisposedException(name);

    [DoesNotReturn]
    public static void ThrowDoubleFree(nuint address) =>
        throw new InvalidOperationException($"Block 0x{(ulong)address:x} is not allocated: it was already freed (double free).");

    [DoesNotReturn]
    public static void ThrowOutOfMemory(string message) => throw new OutOfMemoryException(message);
}
