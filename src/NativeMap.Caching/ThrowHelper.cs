using System.Diagnostics.CodeAnalysis;

namespace NativeMap.Caching;

/// <summary>Cold throw paths, kept out of line so that the methods that call them stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowObjectDisposed() => throw new ObjectDisposedException(nameof(NativeDistributedCache));
}
