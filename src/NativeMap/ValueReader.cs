namespace NativeMap;

/// <summary>
/// Reads a value under the store's shard lock (<see cref="ConcurrentNativeBytesMap.TryRead{TState}(ReadOnlySpan{byte}, ref TState, ValueReader{TState})"/>):
/// the length and the bytes come from one atomic read, so a reply can write its length header first.
/// </summary>
/// <remarks><paramref name="value"/> is the store's native memory: valid only during the call, never to be kept. The
/// callback must not call the store (a call on the same shard throws <see cref="InvalidOperationException"/>; one on
/// another shard could deadlock) and should be short: it holds the shard's lock.</remarks>
public delegate void ValueReader<TState>(ReadOnlySpan<byte> value, ref TState state)
    where TState : allows ref struct;
