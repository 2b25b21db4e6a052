namespace NativeMap;

/// <summary>
/// The second step of a read-modify-write (<see cref="ConcurrentNativeBytesMap.Update{TState}"/>): fills
/// <paramref name="destination"/>, exactly the length the <see cref="ValueSizer{TState}"/> returned, with the new value.
/// </summary>
/// <remarks>
/// When the new value fits the entry's heap block, it is written in place: <paramref name="destination"/> then starts
/// at the same address as <paramref name="current"/> and the two overlap. Read from <paramref name="current"/> only
/// before writing over it, or copy with <see cref="ReadOnlySpan{T}.CopyTo"/>, which handles overlap (an append copies
/// <paramref name="current"/> to the start of <paramref name="destination"/>, a no-op in place, then the suffix).
/// Both spans are valid only during the call. An exception leaves the entry as it was.
/// </remarks>
public delegate void ValueWriter<TState>(ReadOnlySpan<byte> current, Span<byte> destination, ref TState state)
    where TState : allows ref struct;
