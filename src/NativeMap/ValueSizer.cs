namespace NativeMap;

/// <summary>
/// The first step of a read-modify-write (<see cref="ConcurrentNativeBytesMap.Update{TState}"/>), run under the shard's
/// lock: sees the current value (empty and <paramref name="exists"/> false when the key is absent or expired) and
/// returns the new value's length, or -1 to leave the entry as it is.
/// </summary>
/// <remarks><paramref name="current"/> is the map's memory, valid only during the call. Keep in
/// <paramref name="state"/> whatever the <see cref="ValueWriter{TState}"/> will need from it.</remarks>
public delegate int ValueSizer<TState>(ReadOnlySpan<byte> current, bool exists, ref TState state)
    where TState : allows ref struct;
