using System.Diagnostics;

namespace NativeMap;

/*
 * Deadlines and active expiry.
 *
 * RemoveExpired is Redis 7's activeExpireCycle over shards instead of databases: visit the shards in turn from where the
 * last cycle stopped; in each, take up to sampleSize entries that have a deadline, from the shard's cursor in its bucket
 * array (the bucket slots' expiry tags find them without reading the other entries), and remove those whose deadline
 * has passed; stay on the shard while more than 10 % of the sample had expired; stop when the time budget is spent.
 * Each sample holds the shard's lock for at most sampleSize * 20 buckets, so no write waits long behind it.
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    /// <summary>Redis's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE: keep sampling a shard while more than this percentage of a sample had expired.</summary>
    private const int AcceptableStalePercent = 10;

    /// <summary>Buckets a sample may walk per entry it wants (Redis's dictGetSomeKeys walks up to 10 per key; a deadline is rarer than a key).</summary>
    private const int SampleBucketsPerEntry = 20;

    /// <summary>Samples taken from one shard in one cycle at most, so that a cycle with a fake clock (whose budget never runs out) ends.</summary>
    private const int MaxSamplesPerShard = 64;

    /// <summary>The largest sample a cycle takes per round.</summary>
    private const int MaxSampleSize = 256;

    private ITimer? _expiryTimer;
    private TimeSpan _expiryBudget;
    private int _expireShard;

    /// <summary>The deadline of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="deadline">UTC ticks of the store's clock, or 0 when the key has none.</param>
    /// <returns>False when the key is absent or expired (Redis's TTL -2); true otherwise (TTL -1 when <paramref name="deadline"/> is 0).</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryGetDeadline(ReadOnlySpan<byte> key, out long deadline)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = FindLive(shard, key, hash);
            deadline = entry == null ? 0 : BytesEntry.ExpiryOf(entry);
            return entry != null;
        }
    }

    /// <summary>Gives <paramref name="key"/> a deadline (Redis's EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with their NX, XX,
    /// GT, LT options). A deadline at or before now removes the key, as Redis does.</summary>
    /// <param name="key">The key.</param>
    /// <param name="deadline">UTC ticks of the store's clock; must not be 0 (use <see cref="Persist"/>).</param>
    /// <param name="condition">When to apply it.</param>
    /// <returns>True when the deadline was applied (or the key removed because it is past); false when the key is
    /// absent or the condition was not met.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deadline"/> is 0.</exception>
    /// <exception cref="OutOfMemoryException">The entry needed a deadline field and the heap had no room (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool SetDeadline(ReadOnlySpan<byte> key, long deadline, ExpireCondition condition = ExpireCondition.Always)
    {
        ArgumentOutOfRangeException.ThrowIfZero(deadline);
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = FindLive(shard, key, hash);
            if (entry == null)
            {
                return false;
            }

            long current = BytesEntry.ExpiryOf(entry);
            bool apply = condition switch
            {
                ExpireCondition.IfNone => current == 0,
                ExpireCondition.IfAny => current != 0,
                ExpireCondition.IfLater => current != 0 && deadline > current,
                ExpireCondition.IfEarlier => current == 0 || deadline < current,
                _ => true,
            };
            if (apply)
            {
                ApplyDeadline(shard, key, hash, deadline);
            }

            return apply;
        }
    }

    /// <summary>Removes the deadline of <paramref name="key"/> (Redis's PERSIST).</summary>
    /// <returns>True when the key had a deadline and it was removed.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool Persist(ReadOnlySpan<byte> key)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = FindLive(shard, key, hash);
            if (entry == null || BytesEntry.ExpiryOf(entry) == 0)
            {
                return false;
            }

            ApplyDeadline(shard, key, hash, 0);
            return true;
        }
    }

    /// <summary>Sets a live key's deadline under its shard's (held) lock: one at or before now removes it.</summary>
    private void ApplyDeadline(Shard shard, ReadOnlySpan<byte> key, ulong hash, long deadline)
    {
        NativeBytesMap map = shard.Map;
        bool past = deadline != 0 && deadline <= UtcNowTicks;
        map.BeginWrite();
        try
        {
            if (past)
            {
                map.RemoveCore(key, hash);
            }
            else
            {
                nint* slot = map.FindSlotForWrite(key, hash);
                if (slot != null)
                {
                    map.SetExpiryAt(slot, deadline);
                }
            }
        }
        finally
        {
            map.EndWrite();
        }

        ReportUsage(shard);
    }

    /// <summary>
    /// One active expiry cycle, Redis's algorithm (see the top of this file): removes entries whose deadline has passed,
    /// sampling <paramref name="sampleSize"/> entries with a deadline at a time, within <paramref name="budget"/>.
    /// </summary>
    /// <param name="sampleSize">Entries with a deadline looked at per sample (Redis: 20), 1 to 256.</param>
    /// <param name="budget">Wall-clock time the cycle may take; null for 25 ms (Redis's slow cycle per 100 ms).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleSize"/> is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public ExpiryCycleResult RemoveExpired(int sampleSize = 20, TimeSpan? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleSize, MaxSampleSize);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        long stopAt = Stopwatch.GetTimestamp() + (long)((budget ?? TimeSpan.FromMilliseconds(25)).TotalSeconds * Stopwatch.Frequency);
        Span<SampledEntry> sample = stackalloc SampledEntry[sampleSize];
        int sampled = 0;
        int expired = 0;
        for (int visited = 0; visited < _shards.Length; visited++)
        {
            int index = Interlocked.Increment(ref _expireShard) & (_shards.Length - 1);
            Shard shard = _shards[index];
            if (Volatile.Read(ref shard.Map).VolatileCount == 0)
            {
                continue;
            }

            for (int round = 0; round < MaxSamplesPerShard; round++)
            {
                (int n, int e) = ExpireSample(shard, sample);
                sampled += n;
                expired += e;
                if (Stopwatch.GetTimestamp() > stopAt)
                {
                    return new ExpiryCycleResult(sampled, expired, TimedOut: visited + 1 < _shards.Length);
                }

                if (n == 0 || e * 100 <= n * AcceptableStalePercent)
                {
                    break;
                }
            }
        }

        return new ExpiryCycleResult(sampled, expired, TimedOut: false);
    }

    /// <summary>Samples entries with a deadline from the shard's cursor and removes the expired ones; returns (sampled, expired).</summary>
    private (int Sampled, int Expired) ExpireSample(Shard shard, Span<SampledEntry> sample)
    {
        lock (shard.Lock)
        {
            shard.Enter();
            NativeBytesMap map = shard.Map;
            map.EnterRead();
            int n = map.Sample(sample, shard.ExpireCursor, sample.Length * SampleBucketsPerEntry, volatileOnly: true, out nuint next);
            shard.ExpireCursor = next;
            if (n == 0)
            {
                return (0, 0);
            }

            // Read every deadline before removing anything: a removal is a write, and a write may compact, which moves
            // entries (the remaining sampled pointers would then name freed blocks; removing by them just finds nothing).
            long now = UtcNowTicks;
            Span<bool> due = stackalloc bool[n];
            for (int i = 0; i < n; i++)
            {
                due[i] = *BytesEntry.Expiry(sample[i].Entry) <= now;
            }

            int expired = 0;
            map.BeginWrite();
            try
            {
                for (int i = 0; i < n; i++)
                {
                    if (due[i] && map.RemoveEntry(sample[i].Hash, sample[i].Entry))
                    {
                        expired++;
                    }
                }
            }
            finally
            {
                map.EndWrite();
            }

            shard.Expired += expired;
            ReportUsage(shard);
            return (n, expired);
        }
    }

    /// <summary>Starts the background maintenance (expiry cycle, then compaction steps) on the store's clock. The timer holds the store weakly, so an
    /// abandoned store can still be collected (its maps' finalizers free the memory).</summary>
    private void StartExpiryTimer(TimeSpan? interval)
    {
        if (interval is not { } period)
        {
            return;
        }

        _expiryBudget = period / 4;
        _expiryTimer = _time.CreateTimer(static state =>
        {
            var weak = (WeakReference<ConcurrentNativeBytesMap>)state!;
            if (weak.TryGetTarget(out ConcurrentNativeBytesMap? store) && !store.IsDisposed)
            {
                try
                {
                    long stopAt = Stopwatch.GetTimestamp() + (long)(store._expiryBudget.TotalSeconds * Stopwatch.Frequency);
                    _ = store.RemoveExpired(budget: store._expiryBudget);
                    store.CompactInBackground(stopAt);
                }
                catch (ObjectDisposedException)
                {
                    // Disposed while the cycle ran: nothing left to expire.
                }
            }
        }, new WeakReference<ConcurrentNativeBytesMap>(this), period, period);
    }
}
