namespace NativeMap;

/// <summary>Called by <see cref="ConcurrentNativeBytesMap.Scan{TState}"/> for each key, under the shard's lock.</summary>
/// <remarks><paramref name="key"/> is valid only during the call; copy it to keep it. The callback must not call the store.</remarks>
public delegate void KeyVisitor<TState>(ReadOnlySpan<byte> key, ref TState state)
    where TState : allows ref struct;
