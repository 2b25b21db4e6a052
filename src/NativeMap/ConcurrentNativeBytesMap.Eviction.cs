namespace NativeMap;

/*
 * Memory accounting and eviction.
 *
 * UsedBytes: each shard keeps ReportedBytes, the share of the total it last reported; after every write it adds the
 * difference between its map's HeapBytes and that share to the Interlocked total once the difference reaches
 * _flushThreshold (a 16th of the limit spread over the shards; 256 KiB when there is no limit). So the total is within
 * MemoryLimit / 16 of the exact sum, costs one Interlocked add per threshold's worth of writes, and needs no global lock.
 *
 * Eviction (Redis's evict.c, over shards instead of databases). Before a write that would take UsedBytes over the
 * limit, the writer evicts until it fits (one evictor at a time; a writer that finds another evicting goes ahead).
 *   random policies: a random entry of a random non-empty shard.
 *   LRU and TTL policies: Redis's eviction pool. Each round samples EvictionSamples entries of one shard (the shards
 *     in turn; the whole shard when it holds no more than that) and merges them into a pool of the 16 best candidates
 *     seen so far (longest idle by the access stamp, or nearest deadline); then the best candidate that still exists
 *     unchanged (same block, same stamp or deadline: a candidate read since is dropped, not evicted) is removed. When
 *     the whole store holds no more entries than the pool, every entry is put in the pool, so the choice is exact.
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    /// <summary>Candidates the eviction pool keeps (Redis's EVPOOL_SIZE).</summary>
    private const int EvictionPoolSize = 16;

    /// <summary>Evictions one write performs at most before it goes ahead anyway (the next write continues).</summary>
    private const int MaxEvictionsPerWrite = 100_000;

    /// <summary>The used-bytes flush threshold with no limit.</summary>
    private const long UnlimitedFlushThreshold = 256 << 10;

    private readonly int _evictionSamples;
    private readonly MemoryMeasure _measure;
    private readonly Lock _evictionLock = new();

    /// <summary>Best candidates, ascending by score (the best last). Guarded by <see cref="_evictionLock"/>.</summary>
    private readonly EvictionCandidate[] _pool = new EvictionCandidate[EvictionPoolSize];
    private int _poolCount;
    private int _evictShard;

    private long _memoryLimit;
    private int _evictionPolicy;
    private long _usedBytes;
    private long _flushThreshold = UnlimitedFlushThreshold;

    /// <summary>
    /// The limit on <see cref="UsedBytes"/>, in bytes; 0 for none. Settable at any time (Redis's
    /// <c>CONFIG SET maxmemory</c>); setting it brings <see cref="UsedBytes"/> up to date.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long MemoryLimit
    {
        get => Volatile.Read(ref _memoryLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _memoryLimit, value);
            Volatile.Write(ref _flushThreshold, value == 0 ? UnlimitedFlushThreshold : Math.Clamp(value / (16L * _shards.Length), 1, UnlimitedFlushThreshold));
            foreach (Shard shard in _shards)
            {
                lock (shard.Lock)
                {
                    ReportUsage(shard, force: true);
                }
            }
        }
    }

    /// <summary>What to evict over the limit. Settable at any time (Redis's <c>CONFIG SET maxmemory-policy</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public EvictionPolicy EvictionPolicy
    {
        get => (EvictionPolicy)Volatile.Read(ref _evictionPolicy);
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown eviction policy.");
            }

            Volatile.Write(ref _evictionPolicy, (int)value);
        }
    }

    /// <summary>
    /// What <see cref="MemoryLimit"/> compares against, within <see cref="MemoryLimit"/> / 16 of the exact sum: by default
    /// (<see cref="MemoryMeasure.HeapBytes"/>) the heap bytes the store holds — entry blocks with their size-class
    /// rounding, bucket arrays, overflow buckets; with <see cref="MemoryMeasure.KeyAndValueBytes"/> the key and value
    /// bytes alone. Cheap: one read. (<see cref="GetStatistics"/> has the exact sums of both.)
    /// </summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>Whether a limit is set and <see cref="UsedBytes"/> exceeds it: with <see cref="EvictionPolicy.NoEviction"/>
    /// (or nothing left to evict) the owner should refuse writes, as Redis does (<c>-OOM</c>).</summary>
    public bool IsOverMemoryLimit
    {
        get
        {
            long limit = MemoryLimit;
            return limit > 0 && UsedBytes > limit;
        }
    }

    /// <summary>The counters of every shard, summed without a global lock; <see cref="StoreStatistics.UsedBytes"/> exact per shard.</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public StoreStatistics GetStatistics()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        long count = 0, volatileCount = 0, keyBytes = 0, valueBytes = 0, used = 0, hits = 0, misses = 0, expired = 0, evicted = 0;
        foreach (Shard shard in _shards)
        {
            NativeBytesMap map = Volatile.Read(ref shard.Map);
            count += map.Count;
            volatileCount += map.VolatileCount;
            keyBytes += map.KeyBytes;
            valueBytes += map.ValueBytes;
            used += map.HeapBytes;
            hits += Volatile.Read(ref shard.Hits);
            misses += Volatile.Read(ref shard.Misses);
            expired += Volatile.Read(ref shard.Expired);
            evicted += Volatile.Read(ref shard.Evicted);
        }

        return new StoreStatistics
        {
            Count = count,
            VolatileCount = volatileCount,
            KeyBytes = keyBytes,
            ValueBytes = valueBytes,
            UsedBytes = used,
            Hits = hits,
            Misses = misses,
            Expired = expired,
            Evicted = evicted,
        };
    }

    /// <summary>What the limit counts in a map: its heap bytes, or its key and value bytes.</summary>
    private long Measure(NativeBytesMap map) => _measure == MemoryMeasure.HeapBytes ? map.HeapBytes : map.KeyBytes + map.ValueBytes;

    /// <summary>What an entry of these lengths adds to <see cref="UsedBytes"/> (about, for heap bytes: its block).</summary>
    private long MeasureOf(int keyLength, long valueLength, uint flags) => _measure == MemoryMeasure.HeapBytes
        ? BytesEntry.BlockSize((nuint)BytesEntry.SizeFor(keyLength, (int)valueLength, flags | BytesEntry.StampFlag))
        : keyLength + valueLength;

    /// <summary>Adds the shard's change in measured bytes to the total once it reaches the threshold. Under the shard lock.</summary>
    private void ReportUsage(Shard shard, bool force = false)
    {
        long bytes = Measure(shard.Map);
        long delta = bytes - shard.ReportedBytes;
        if (delta != 0 && (force || Math.Abs(delta) >= Volatile.Read(ref _flushThreshold)))
        {
            shard.ReportedBytes = bytes;
            Interlocked.Add(ref _usedBytes, delta);
        }
    }

    /// <summary>
    /// Evicts by the current policy until about <paramref name="bytesToFree"/> bytes (as <see cref="UsedBytes"/> counts
    /// them) are freed or nothing
    /// is left to evict. Does nothing under <see cref="EvictionPolicy.NoEviction"/>.
    /// </summary>
    /// <returns>The number of entries evicted.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public int Evict(long bytesToFree)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        EvictionPolicy policy = EvictionPolicy;
        int evicted = 0;
        if (policy == EvictionPolicy.NoEviction)
        {
            return 0;
        }

        lock (_evictionLock)
        {
            for (long freed = 0; freed < bytesToFree; evicted++)
            {
                long bytes = EvictOne(policy);
                if (bytes < 0)
                {
                    break;
                }

                freed += bytes;
            }
        }

        return evicted;
    }

    /// <summary>Makes room for a write of about <paramref name="incoming"/> bytes when a limit and an evicting policy are set.</summary>
    private void EvictBeforeWrite(long incoming)
    {
        long limit = MemoryLimit;
        if (limit == 0 || UsedBytes + incoming <= limit)
        {
            return;
        }

        EvictionPolicy policy = EvictionPolicy;
        if (policy == EvictionPolicy.NoEviction || !_evictionLock.TryEnter())
        {
            return;
        }

        try
        {
            for (int i = 0; i < MaxEvictionsPerWrite && UsedBytes + incoming > limit; i++)
            {
                if (EvictOne(policy) < 0)
                {
                    break;
                }
            }
        }
        finally
        {
            _evictionLock.Exit();
        }
    }

    /// <summary>Evicts one entry; returns the bytes it took (as <see cref="UsedBytes"/> counts them), or -1 when nothing could be evicted. Under <see cref="_evictionLock"/>.</summary>
    private long EvictOne(EvictionPolicy policy)
    {
        bool volatileOnly = policy is EvictionPolicy.VolatileLru or EvictionPolicy.VolatileRandom or EvictionPolicy.VolatileTtl;
        if (policy is EvictionPolicy.AllKeysRandom or EvictionPolicy.VolatileRandom)
        {
            return EvictRandom(volatileOnly);
        }

        for (int attempt = 0; attempt < 4; attempt++)
        {
            PopulatePool(policy, volatileOnly);
            while (_poolCount > 0)
            {
                EvictionCandidate best = _pool[--_poolCount];
                long freed = TryEvictCandidate(best, policy);
                if (freed >= 0)
                {
                    return freed;
                }
            }
        }

        return -1;
    }

    /// <summary>Samples entries into the pool: every entry when the store is small, else <see cref="_evictionSamples"/> from the next shard.</summary>
    private void PopulatePool(EvictionPolicy policy, bool volatileOnly)
    {
        Span<SampledEntry> sample = stackalloc SampledEntry[Math.Max(EvictionPoolSize, _evictionSamples)];
        if ((volatileOnly ? VolatileCount : Count) <= EvictionPoolSize)
        {
            for (int i = 0; i < _shards.Length; i++)
            {
                SampleShard(i, policy, volatileOnly, sample[..EvictionPoolSize], exhaustive: true);
            }

            return;
        }

        for (int tries = 0; tries < _shards.Length; tries++)
        {
            int index = (++_evictShard) & (_shards.Length - 1);
            if (SampleShard(index, policy, volatileOnly, sample[.._evictionSamples], exhaustive: false))
            {
                return;
            }
        }
    }

    /// <summary>Samples one shard into the pool; false when it had nothing to offer.</summary>
    private bool SampleShard(int index, EvictionPolicy policy, bool volatileOnly, Span<SampledEntry> sample, bool exhaustive)
    {
        Shard shard = _shards[index];
        NativeBytesMap peek = Volatile.Read(ref shard.Map);
        if ((volatileOnly ? peek.VolatileCount : peek.Count) == 0)
        {
            return false;
        }

        lock (shard.Lock)
        {
            shard.Enter();
            NativeBytesMap map = shard.Map;
            map.EnterRead();
            int eligible = volatileOnly ? map.VolatileCount : map.Count;
            bool whole = exhaustive || eligible <= sample.Length;
            nuint buckets = map.BucketCount;
            nuint start = whole || buckets == 0 ? 0 : (nuint)Random.Shared.NextInt64((long)buckets);
            int maxBuckets = whole ? (int)Math.Min(buckets, int.MaxValue) : sample.Length * SampleBucketsPerEntry;
            int n = map.Sample(sample, start, maxBuckets, volatileOnly, out _);
            uint now = AccessStamp();
            for (int i = 0; i < n; i++)
            {
                byte* entry = sample[i].Entry;
                uint stamp = *BytesEntry.Stamp(entry);
                long deadline = BytesEntry.ExpiryOf(entry);
                long score = policy == EvictionPolicy.VolatileTtl ? long.MaxValue - deadline : (uint)(now - stamp);
                AddCandidate(new EvictionCandidate(score, index, sample[i].Hash, (nint)entry, stamp, deadline));
            }

            return n > 0;
        }
    }

    /// <summary>Merges a candidate into the pool (ascending by score, at most 16; a re-sampled entry replaces its old place).</summary>
    private void AddCandidate(in EvictionCandidate candidate)
    {
        for (int i = 0; i < _poolCount; i++)
        {
            if (_pool[i].Entry == candidate.Entry && _pool[i].Shard == candidate.Shard)
            {
                Array.Copy(_pool, i + 1, _pool, i, _poolCount - i - 1);
                _poolCount--;
                break;
            }
        }

        int position = _poolCount;
        while (position > 0 && _pool[position - 1].Score > candidate.Score)
        {
            position--;
        }

        if (_poolCount == EvictionPoolSize)
        {
            if (position == 0)
            {
                return; // worse than everything in a full pool
            }

            Array.Copy(_pool, 1, _pool, 0, position - 1); // drop the worst
            _pool[position - 1] = candidate;
            return;
        }

        Array.Copy(_pool, position, _pool, position + 1, _poolCount - position);
        _pool[position] = candidate;
        _poolCount++;
    }

    /// <summary>Evicts a pool candidate if it still exists unchanged; returns the bytes it took, or -1.</summary>
    private long TryEvictCandidate(in EvictionCandidate candidate, EvictionPolicy policy)
    {
        Shard shard = _shards[candidate.Shard];
        lock (shard.Lock)
        {
            shard.Enter();
            NativeBytesMap map = shard.Map;
            map.EnterRead();
            byte* entry = (byte*)candidate.Entry;
            if (!map.ContainsEntry(candidate.Hash, entry))
            {
                return -1;
            }

            // Read since it was sampled (LRU), or given another deadline (TTL): not the candidate it was.
            long deadline = BytesEntry.ExpiryOf(entry);
            if (*BytesEntry.Stamp(entry) != candidate.Stamp || deadline != candidate.Deadline
                || (policy is EvictionPolicy.VolatileLru or EvictionPolicy.VolatileTtl && deadline == 0))
            {
                return -1;
            }

            return EvictLocked(shard, candidate.Hash, entry);
        }
    }

    /// <summary>A random entry of a random non-empty shard.</summary>
    private long EvictRandom(bool volatileOnly)
    {
        int first = Random.Shared.Next(_shards.Length);
        Span<SampledEntry> one = stackalloc SampledEntry[1];
        for (int i = 0; i < _shards.Length; i++)
        {
            Shard shard = _shards[(first + i) & (_shards.Length - 1)];
            NativeBytesMap peek = Volatile.Read(ref shard.Map);
            if ((volatileOnly ? peek.VolatileCount : peek.Count) == 0)
            {
                continue;
            }

            lock (shard.Lock)
            {
                shard.Enter();
                NativeBytesMap map = shard.Map;
                map.EnterRead();
                nuint buckets = map.BucketCount;
                if (buckets == 0 || map.Sample(one, (nuint)Random.Shared.NextInt64((long)buckets), (int)Math.Min(buckets, int.MaxValue), volatileOnly, out _) == 0)
                {
                    continue;
                }

                return EvictLocked(shard, one[0].Hash, one[0].Entry);
            }
        }

        return -1;
    }

    /// <summary>Removes an entry as an eviction, under its shard's (held) lock; returns the bytes it took.</summary>
    private long EvictLocked(Shard shard, ulong hash, byte* entry)
    {
        long bytes = _measure == MemoryMeasure.HeapBytes
            ? BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(entry))
            : BytesEntry.KeyLength(entry) + BytesEntry.ValueLength(entry);
        RemoveFound(shard, hash, entry);
        shard.Evicted++;
        return bytes;
    }
}
