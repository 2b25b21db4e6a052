using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Distributed;

namespace NativeMap.Caching;

/*
 * NativeDistributedCache over ConcurrentNativeBytesMap: how the cache's rules become store calls.
 *
 * Keys. A string key becomes bytes (CacheKey: UTF-8, or a marker byte and UTF-16 for a string that is not valid
 * UTF-16), encoded into a 512-byte stack buffer, or a pooled array for longer keys: no allocation.
 *
 * Entries. Each entry is one store entry: the value, a deadline (UTC ticks of the cache's TimeProvider, which the store
 * reads too; 0 for none) and, for a sliding entry only, a 16-byte header beside the value (SlidingHeader: the period
 * and the absolute cap). The deadline the store checks is EntryLifetime.ExpiresAt: min(cap, last read + period) for a
 * sliding entry, the absolute expiration otherwise. The store never returns an entry at or past its deadline, and
 * removes it when it meets it (lazy expiry); its background cycle, every ExpirationScanInterval on the same clock,
 * samples entries with deadlines and removes the expired ones within a time budget (Redis's active expiry).
 *
 * Reads. One TryRead per Get/TryGet/Refresh: under the shard's lock the callback (OnRead) copies the value out
 * (TryGet: into the caller's writer; Get: into a new array; Refresh: nowhere) and returns the entry's next deadline,
 * which for a sliding entry is now + period, capped: the read and the touch are one atomic step, so a concurrent Set of
 * the same key can never receive the old entry's period. Only a sliding entry reads the clock there. Hits and misses
 * are the store's per-shard counters, kept under the shard lock the read holds anyway (a Refresh counts as a read, as
 * in MemoryCache, whose Refresh is a TryGetValue).
 *
 * Writes. The lifetime is computed from the options and the clock; a deadline already past removes the key (the store
 * does that for Set with such a deadline; MemoryCache does the same). The store copies the sequence, segment by
 * segment, into one native block. Under a size limit the store evicts by sampled LRU before a write that would
 * exceed it, and refuses (removing the old value) an entry larger than the whole limit.
 *
 * Compaction. Options.Compaction goes to the store as it is: each shard's writes (removes, evictions and expirations
 * included) look at the heap's fragmentation now and then and, above the trigger, move a few entries per write out of
 * sparse spans; the store's maintenance timer (the same one as the expiration scan, so off when the scan is off) carries
 * passes on in shards nobody writes. A move keeps the entry's bytes, header and deadline, so the cache sees nothing.
 * Compact() is the store's full pass, shard by shard.
 */
public sealed partial class NativeDistributedCache
{
    // Cached delegate of a static lambda: no allocation per read.
    private static readonly EntryReader<ReadState> s_onRead = OnRead;

    private readonly ConcurrentNativeBytesMap _store;
    private int _disposed;

    private ConcurrentNativeBytesMap CreateStore(NativeDistributedCacheOptions settings)
    {
        var options = new ConcurrentNativeBytesMapOptions
        {
            Heap = Heap,
            TimeProvider = settings.TimeProvider,
            MemoryLimit = settings.SizeLimit ?? 0,
            EvictionPolicy = settings.SizeLimit is null ? EvictionPolicy.NoEviction : EvictionPolicy.AllKeysLru,
            EvictionSamples = settings.EvictionSamples,
            Compaction = settings.Compaction,
            ActiveExpiryInterval = settings.ExpirationScanInterval == Timeout.InfiniteTimeSpan ? null : settings.ExpirationScanInterval,
        };
        if (settings.ShardCount is { } shards)
        {
            options = options with { ShardCount = shards };
        }

        return new ConcurrentNativeBytesMap(options);
    }

    [SkipLocalsInit]
    private bool Read(string key, ref ReadState state)
    {
        ReadOnlySpan<byte> keyBytes = CacheKey.Encode(key, stackalloc byte[CacheKey.StackBufferBytes], out byte[]? rented);
        try
        {
            return Store.TryRead(keyBytes, ref state, s_onRead);
        }
        finally
        {
            CacheKey.Return(rented);
        }
    }

    [SkipLocalsInit]
    private void Write(string key, in ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        ReadOnlySpan<byte> keyBytes = CacheKey.Encode(key, stackalloc byte[CacheKey.StackBufferBytes], out byte[]? rented);
        try
        {
            // No expiration at all (the options HybridCache does not use, but many callers do): no clock read.
            bool expires = options.AbsoluteExpiration.HasValue || options.AbsoluteExpirationRelativeToNow.HasValue || options.SlidingExpiration.HasValue;
            long now = expires ? UtcNowTicks : 0;
            EntryLifetime lifetime = expires ? EntryLifetime.FromOptions(options, now) : EntryLifetime.None;
            if (lifetime.IsExpiredAt(now))
            {
                // MemoryCache stores nothing and drops the value this write would have replaced.
                Store.Remove(keyBytes);
                return;
            }

            Span<byte> header = stackalloc byte[SlidingHeader.Size];
            int headerLength = 0;
            if (lifetime.IsSliding)
            {
                SlidingHeader.Write(header, lifetime);
                headerLength = SlidingHeader.Size;
            }

            long deadline = lifetime.ExpiresAt == EntryLifetime.Never ? 0 : lifetime.ExpiresAt;
            Store.Set(keyBytes, header[..headerLength], value, deadline);
        }
        finally
        {
            CacheKey.Return(rented);
        }
    }

    [SkipLocalsInit]
    private void RemoveCore(string key)
    {
        ReadOnlySpan<byte> keyBytes = CacheKey.Encode(key, stackalloc byte[CacheKey.StackBufferBytes], out byte[]? rented);
        try
        {
            Store.Remove(keyBytes);
        }
        finally
        {
            CacheKey.Return(rented);
        }
    }

    /// <summary>The store, or <see cref="ObjectDisposedException"/> naming this cache once it is disposed (the store
    /// would throw too, naming itself; the check costs one read of a field on the same line as the store's).</summary>
    private ConcurrentNativeBytesMap Store
    {
        get
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                ThrowHelper.ThrowObjectDisposed();
            }

            return _store;
        }
    }

    internal bool TryGetStatistics(out NativeDistributedCacheStatistics statistics)
    {
        statistics = default;
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        StoreStatistics store;
        try
        {
            store = _store.GetStatistics();
        }
        catch (ObjectDisposedException)
        {
            return false; // disposed between the check and the read
        }

        statistics = new NativeDistributedCacheStatistics
        {
            EntryCount = store.Count,
            SizeBytes = store.UsedBytes,
            Hits = store.Hits,
            Misses = store.Misses,
            Evictions = store.Evicted,
            Expirations = store.Expired,
        };
        return true;
    }

    private void DisposeCore()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        CacheMetrics.Unregister(this);
        _store.Dispose();
        if (OwnsHeap)
        {
            Heap.Dispose();
        }
    }
}
