namespace NativeMap;

public sealed partial class ConcurrentNativeBytesMap
{
    /// <summary>
    /// One shard: a <see cref="NativeBytesMap"/> behind its own lock, with counters the store sums without locking.
    /// Every field is read and written under <see cref="Lock"/>, except the counters and <see cref="Map"/>'s byte
    /// totals, which are read without it (word-sized reads, each exact; their sum is not one instant's).
    /// </summary>
    private sealed class Shard
    {
        /// <summary>Guards everything below.</summary>
        public readonly Lock Lock = new();

        /// <summary>The entries. Replaced (under the lock) by <see cref="DetachAll"/>.</summary>
        public NativeBytesMap Map;

        /// <summary>A user callback is running under the lock: a re-entrant call from it (the lock is re-entrant)
        /// must throw rather than free what the callback is reading.</summary>
        public bool InCallback;

        /// <summary>Reads that found a live key.</summary>
        public long Hits;

        /// <summary>Reads that did not.</summary>
        public long Misses;

        /// <summary>Entries removed because their deadline passed.</summary>
        public long Expired;

        /// <summary>Entries evicted.</summary>
        public long Evicted;

        /// <summary>The map's <see cref="NativeBytesMap.HeapBytes"/> as last added to the store's used-bytes total.</summary>
        public long ReportedBytes;

        /// <summary>Where the active expiry cycle resumes in this shard's bucket array.</summary>
        public nuint ExpireCursor;

        public Shard(NativeBytesMap map) => Map = map;

        /// <summary>Called first under the lock: refuses a call from inside a callback on this shard.</summary>
        public void Enter()
        {
            if (InCallback)
            {
                BytesThrowHelper.ThrowReentrantCall();
            }
        }
    }
}
