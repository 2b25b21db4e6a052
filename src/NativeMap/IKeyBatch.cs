namespace NativeMap;

/// <summary>The keys of a batch call (MGET, DEL with many keys): an indexer over the caller's own structure, so the keys
/// may be slices of a request buffer. Implement it with a struct or ref struct: the store is generic over it.</summary>
public interface IKeyBatch
{
    /// <summary>The number of keys.</summary>
    int Count { get; }

    /// <summary>Key <paramref name="index"/>, 0 &lt;= index &lt; <see cref="Count"/>.</summary>
    ReadOnlySpan<byte> GetKey(int index);
}
