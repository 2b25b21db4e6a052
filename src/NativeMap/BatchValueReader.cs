namespace NativeMap;

/// <summary>
/// Receives the values of a batch read (<see cref="ConcurrentNativeBytesMap.ReadMany{TKeys, TState}"/>) in key order:
/// <paramref name="found"/> false (and an empty value) for a key that is absent or expired.
/// </summary>
/// <remarks>Called under the key's shard lock; <paramref name="value"/> is valid only during the call. The callback must
/// not call the store.</remarks>
public delegate void BatchValueReader<TState>(int index, ReadOnlySpan<byte> value, bool found, ref TState state)
    where TState : allows ref struct;
