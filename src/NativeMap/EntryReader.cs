namespace NativeMap;

/// <summary>
/// Reads an entry under the store's shard lock and may move its deadline (<see cref="ConcurrentNativeBytesMap.TryRead{TState}(ReadOnlySpan{byte}, ref TState, EntryReader{TState})"/>):
/// the read + touch of a sliding expiration in one atomic step.
/// </summary>
/// <param name="header">The header stored beside the value (empty when none).</param>
/// <param name="value">The value (payload), without the header.</param>
/// <param name="deadline">The entry's deadline in UTC ticks, 0 when it has none.</param>
/// <param name="state">The caller's state.</param>
/// <returns>The entry's deadline from now on: <paramref name="deadline"/> to leave it, 0 to clear it; a deadline at or
/// before now removes the entry.</returns>
/// <remarks>The spans are the store's native memory, valid only during the call. The callback must not call the store
/// and should be short: it holds the shard's lock. If it throws, the lock is released and the entry is unchanged.</remarks>
public delegate long EntryReader<TState>(ReadOnlySpan<byte> header, ReadOnlySpan<byte> value, long deadline, ref TState state)
    where TState : allows ref struct;
