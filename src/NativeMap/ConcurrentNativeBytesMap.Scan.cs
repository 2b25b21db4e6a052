namespace NativeMap;

/*
 * SCAN. The cursor is (shard << 41) | ord: the shard being scanned and the ord (NativeBytesMap.Positions.cs) to resume
 * from in it. Within a shard the scan visits whole positions in increasing ord, and an ord is a place in the map that
 * no resize moves, so a key present from the first call to the last is returned at least once — Redis's guarantee —
 * whatever the shard's map did in between (grew, shrank, compacted). A key may be returned twice only if it is removed
 * and added again during the scan. Expired keys are skipped.
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    private const int CursorOrdBits = NativeBytesMap.OrdBits + 1;

    /// <summary>
    /// Visits about <paramref name="count"/> keys from <paramref name="cursor"/> (0 to start), calling
    /// <paramref name="visitor"/> for each under its shard's lock, and returns the cursor to continue from: 0 when the
    /// scan is complete (Redis's SCAN; KEYS is a scan to the end). Every key present for the whole scan is visited at
    /// least once; a call may visit more than <paramref name="count"/> keys (a whole bucket at a time) or fewer.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="visitor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive, or <paramref name="cursor"/> is not one this store returned.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public ulong Scan<TState>(ulong cursor, int count, ref TState state, KeyVisitor<TState> visitor)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(visitor);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ulong shardIndex = cursor >> CursorOrdBits;
        ulong ord = cursor & ((1UL << CursorOrdBits) - 1);
        if (shardIndex >= (ulong)_shards.Length || ord > NativeBytesMap.OrdEnd)
        {
            throw new ArgumentOutOfRangeException(nameof(cursor), cursor, "Not a cursor this store returned.");
        }

        int visited = 0;
        while (true)
        {
            Shard shard = _shards[(int)shardIndex];
            lock (shard.Lock)
            {
                shard.Enter();
                NativeBytesMap map = shard.Map;
                map.EnterRead();
                shard.InCallback = true;
                try
                {
                    ord = map.ScanPositions(ord, count - visited, UtcNowTicks, ref state, visitor, out int n);
                    visited += n;
                }
                finally
                {
                    shard.InCallback = false;
                }
            }

            if (ord >= NativeBytesMap.OrdEnd)
            {
                ord = 0;
                if (++shardIndex == (ulong)_shards.Length)
                {
                    return 0;
                }
            }

            if (visited >= count)
            {
                return (shardIndex << CursorOrdBits) | ord;
            }
        }
    }
}
