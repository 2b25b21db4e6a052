namespace NativeMap.Caching.Tests.Conformance;

/// <summary>Which form of the API a conformance test reads and writes through; every form must behave the same.</summary>
public enum AccessMode
{
    /// <summary><c>Get</c> / <c>Set(byte[])</c> / <c>Refresh</c> / <c>Remove</c>.</summary>
    Sync,

    /// <summary><c>GetAsync</c> / <c>SetAsync(byte[])</c> / <c>RefreshAsync</c> / <c>RemoveAsync</c>.</summary>
    Async,

    /// <summary><c>TryGet(IBufferWriter)</c> / <c>Set(ReadOnlySequence)</c> (three segments), sync refresh and remove.</summary>
    Buffer,

    /// <summary><c>TryGetAsync(IBufferWriter)</c> / <c>SetAsync(ReadOnlySequence)</c>, async refresh and remove.</summary>
    BufferAsync,
}
