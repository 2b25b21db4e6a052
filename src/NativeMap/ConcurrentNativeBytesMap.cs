using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using NativeMap.Allocator;

namespace NativeMap;

/*
 * ConcurrentNativeBytesMap: design.
 *
 * Shards. The store is 2^k NativeBytesMaps ("shards"), each behind its own System.Threading.Lock. A key's hash is
 * XxHash3-64 with the store's seed; bits 32 and up (below the tophash's top 8) choose the shard, bits the shard's
 * buckets never use (a shard indexes buckets with the low 30 bits at most and keeps the low 32 in its slots), so every
 * shard's table sees uniformly spread hashes. The shard maps take the store's seed (fixed: they never reseed) and the
 * hash the store computed, so a key is hashed once. Reads take the lock too: they update the entry's access stamp and
 * remove expired entries, and a lock costs ~20 ns uncontended where a lookup costs ~100-300 ns of cache misses.
 *
 * Entries. Every entry carries a 4-byte access stamp (the LRU clock: ms of the store's clock, wrapping every 49 days;
 * written on read only when it changed); an entry with a deadline carries 8 more bytes and is tagged in its bucket
 * slot, so the active expiry cycle and volatile-* eviction find such entries without touching the others; an entry
 * stored with a header (the distributed cache's sliding data) carries 4 more. Deadlines are UTC ticks of the store's
 * TimeProvider; expired means deadline <= now (MemoryCache's rule); 0 means none.
 *
 * Expiry, as Redis does it. Lazily: every access to an entry whose deadline has passed removes it and reports the key
 * absent. Actively: RemoveExpired visits the shards in turn, samples entries with a deadline from a cursor in each
 * shard's bucket array, removes the expired ones, and stays on a shard while more than 10 % of a sample had expired
 * (Redis 7's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE), within a time budget; a background timer on the store's
 * TimeProvider runs it every ActiveExpiryInterval (ConcurrentNativeBytesMap.Expiry.cs).
 *
 * Memory and eviction. UsedBytes is the heap bytes the shard maps hold (entry blocks, bucket arrays, overflow
 * buckets; or, by option, their key and value bytes, as MemoryCache's size limit counts), summed without a global lock: each shard adds its change to one Interlocked total when the change exceeds
 * a threshold (a 16th of the limit spread over the shards, so the total is within limit/16 of the truth). Before a
 * write that would take UsedBytes over MemoryLimit, the writer evicts by the policy until it fits: sampled LRU with
 * Redis's pool of 16 candidates, random, or nearest deadline (ConcurrentNativeBytesMap.Eviction.cs).
 *
 * Callbacks. Reads that must not copy (a RESP reply writes the length before the bytes; the cache reads a header and
 * moves a deadline in one step) hand the value to a caller's delegate under the shard lock. The lock is re-entrant, so
 * a callback that called the store on its own shard could free what it reads: Shard.InCallback makes such a call
 * throw. A callback that calls another shard could deadlock; the contract forbids both. An exception from a callback
 * releases the lock and leaves the entry as it was.
 */

/// <summary>
/// A thread-safe map from byte strings to byte strings in native memory: shards of <see cref="NativeBytesMap"/>, each
/// behind its own lock, with what a cache needs besides — per-entry deadlines with lazy and active expiry, eviction
/// under a memory limit (sampled LRU, random, nearest deadline), read callbacks that see a value without copying it,
/// read-modify-write, batch reads and writes, and a resumable scan.
/// </summary>
/// <remarks>
/// <para>Every member is thread-safe and each is atomic with respect to the others on the same key. No member
/// allocates managed memory per call. Keys and values are limited to 512 MiB each, as in <see cref="NativeBytesMap"/>.
/// Deadlines are UTC ticks (100 ns) of the store's <see cref="TimeProvider"/>, 0 meaning none; an entry whose deadline
/// is at or before now is never returned.</para>
/// <para>Counts and byte totals are summed over the shards without a global lock. After <see cref="Dispose"/> every
/// member throws <see cref="ObjectDisposedException"/>; a store that is never disposed is freed by its maps' finalizers.</para>
/// </remarks>
public sealed unsafe partial class ConcurrentNativeBytesMap : IDisposable
{
    private readonly Shard[] _shards;
    private readonly int _shardShift;
    private readonly long _seed;
    private readonly ulong _hashMask;
    private readonly SpanHeap _heap;
    private readonly TimeProvider _time;

    /// <summary>The clock is the system's: the LRU stamp can read the cheap monotonic tick count instead.</summary>
    private readonly bool _systemClock;

    private readonly NativeBytesMapOptions _mapOptions;
    private int _disposed;

    /// <summary>Creates a store on <see cref="SpanHeap.Shared"/> with default options.</summary>
    public ConcurrentNativeBytesMap()
        : this(new ConcurrentNativeBytesMapOptions())
    {
    }

    /// <summary>Creates a store on <paramref name="heap"/> (which the store does not dispose) with default options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="heap"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="heap"/> is disposed.</exception>
    public ConcurrentNativeBytesMap(SpanHeap heap)
        : this(new ConcurrentNativeBytesMapOptions { Heap = heap ?? throw new ArgumentNullException(nameof(heap)) })
    {
    }

    /// <summary>Creates a store with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public ConcurrentNativeBytesMap(ConcurrentNativeBytesMapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _heap = options.Heap ?? SpanHeap.Shared;
        if (_heap.IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        _time = options.TimeProvider;
        _systemClock = ReferenceEquals(_time, TimeProvider.System);
        _hashMask = options.HashMask;
        _seed = options.Seed ?? Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        _shardShift = 64 - System.Numerics.BitOperations.Log2((uint)options.ShardCount);
        _mapOptions = new NativeBytesMapOptions { Heap = _heap, Capacity = (int)Math.Ceiling((double)options.Capacity / options.ShardCount), Compaction = options.Compaction };
        _shards = new Shard[options.ShardCount];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(NewShardMap());
        }

        _evictionSamples = options.EvictionSamples;
        _measure = options.MemoryMeasure;
        EvictionPolicy = options.EvictionPolicy;
        MemoryLimit = options.MemoryLimit;
        StartExpiryTimer(options.ActiveExpiryInterval);
    }

    /// <summary>The number of shards.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>The heap the store allocates from.</summary>
    public SpanHeap Heap => _heap;

    /// <summary>The clock of deadlines and of the LRU stamps.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Now, in the unit of deadlines: UTC ticks of <see cref="TimeProvider"/>.</summary>
    public long UtcNowTicks => _time.GetUtcNow().UtcTicks;

    /// <summary>The number of entries (expired entries not yet removed included), summed without a global lock.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (Shard shard in _shards)
            {
                count += Volatile.Read(ref shard.Map).Count;
            }

            return count;
        }
    }

    /// <summary>The number of entries with a deadline (Redis's INFO keyspace <c>expires=</c>).</summary>
    public long VolatileCount
    {
        get
        {
            long count = 0;
            foreach (Shard shard in _shards)
            {
                count += Volatile.Read(ref shard.Map).VolatileCount;
            }

            return count;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The hash of a key under the store's seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key, _seed) & _hashMask;

    /// <summary>The shard of a hash: bits 32 and up, below the tophash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Shard ShardOf(ulong hash) => _shards[ShardIndexOf(hash)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ShardIndexOf(ulong hash) => (int)((hash << 8) >> _shardShift) & (_shards.Length - 1);

    private NativeBytesMap NewShardMap()
    {
        var map = new NativeBytesMap(_mapOptions, seedSource: null, fixedSeed: _seed, hashMask: _hashMask);
        if (_testMover is not null)
        {
            map.UseMover(_testMover);
        }

        return map;
    }

    /// <summary>The access stamp of now: ms of the store's clock (the tick count when that is the system clock).</summary>
    private uint AccessStamp() =>
        _systemClock ? (uint)Environment.TickCount64 : (uint)(_time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMillisecond);

    /// <summary>The fields every write gives an entry: an access stamp, and the deadline.</summary>
    private EntryMeta MetaFor(long deadline, bool keepDeadline, int headerLength = 0) => new()
    {
        Expiry = deadline,
        KeepExpiry = keepDeadline,
        HasStamp = true,
        StampValue = AccessStamp(),
        HeaderLength = headerLength,
    };

    /// <summary>
    /// The live entry of <paramref name="key"/> in <paramref name="shard"/> (whose lock is held), or null. An entry
    /// past its deadline is removed, counted as expired, and reported absent. A found entry's stamp is touched.
    /// </summary>
    private byte* FindLive(Shard shard, ReadOnlySpan<byte> key, ulong hash)
    {
        shard.Enter();
        NativeBytesMap map = shard.Map;
        map.EnterRead();
        nint* slot = map.FindSlot(key, hash);
        if (slot == null)
        {
            return null;
        }

        nint word = *slot;
        byte* entry = BytesBucket.EntryOf(word);
        if ((word & BytesBucket.ExpiryTag) != 0 && *BytesEntry.Expiry(entry) <= UtcNowTicks)
        {
            RemoveExpiredEntry(shard, hash, entry);
            return null;
        }

        uint* stamp = BytesEntry.Stamp(entry);
        uint now = AccessStamp();
        if (*stamp != now)
        {
            *stamp = now;
        }

        return entry;
    }

    /// <summary>Removes an entry found past its deadline. Under the shard lock.</summary>
    private void RemoveExpiredEntry(Shard shard, ulong hash, byte* entry)
    {
        RemoveFound(shard, hash, entry);
        shard.Expired++;
    }

    /// <summary>Removes an entry the caller found (under the shard's held lock) and reports the change in bytes.</summary>
    private void RemoveFound(Shard shard, ulong hash, byte* entry)
    {
        NativeBytesMap map = shard.Map;
        map.BeginWrite();
        try
        {
            map.RemoveEntry(hash, entry);
        }
        finally
        {
            map.EndWrite();
        }

        ReportUsage(shard);
    }

    /// <summary>Runs a value reader under the shard's held lock, refusing re-entrant calls while it runs.</summary>
    private static void CallReader<TState>(Shard shard, ReadOnlySpan<byte> value, ref TState state, ValueReader<TState> reader)
        where TState : allows ref struct
    {
        shard.InCallback = true;
        try
        {
            reader(value, ref state);
        }
        finally
        {
            shard.InCallback = false;
        }
    }

    /// <summary><see cref="FindLive"/> for a read that counts as a hit or a miss.</summary>
    private byte* Lookup(Shard shard, ReadOnlySpan<byte> key, ulong hash)
    {
        byte* entry = FindLive(shard, key, hash);
        if (entry == null)
        {
            shard.Misses++;
        }
        else
        {
            shard.Hits++;
        }

        return entry;
    }

    /// <summary>The payload of an entry: its value after any header.</summary>
    private static ReadOnlySpan<byte> Payload(byte* entry) => BytesEntry.ValueSpan(entry)[BytesEntry.HeaderLengthOf(entry)..];

    /// <summary>Whether the store holds a live <paramref name="key"/>.</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool ContainsKey(ReadOnlySpan<byte> key)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            return FindLive(shard, key, hash) != null;
        }
    }

    /// <summary>The length of the value of <paramref name="key"/> (header excluded).</summary>
    /// <returns>True when the key is present and live.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryGetLength(ReadOnlySpan<byte> key, out int length)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = FindLive(shard, key, hash);
            length = entry == null ? 0 : Payload(entry).Length;
            return entry != null;
        }
    }

    /// <summary>Copies the value of <paramref name="key"/> (header excluded) into <paramref name="destination"/>, under
    /// the shard's lock (the writer must not call the store).</summary>
    /// <returns>True when the key was found and its value written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryGetValue(ReadOnlySpan<byte> key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = Lookup(shard, key, hash);
            if (entry == null)
            {
                return false;
            }

            shard.InCallback = true;
            try
            {
                shard.Map.CopyValue(entry, BytesEntry.HeaderLengthOf(entry), destination);
            }
            finally
            {
                shard.InCallback = false;
            }

            return true;
        }
    }

    /// <summary>Copies the value of <paramref name="key"/> (header excluded) into <paramref name="destination"/>.</summary>
    /// <returns>True when the key was found and its value fitted; false when it is absent or longer than
    /// <paramref name="destination"/> (nothing copied, <paramref name="written"/> 0).</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryCopyValue(ReadOnlySpan<byte> key, Span<byte> destination, out int written)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = Lookup(shard, key, hash);
            written = 0;
            if (entry == null)
            {
                return false;
            }

            ReadOnlySpan<byte> value = Payload(entry);
            if (!value.TryCopyTo(destination))
            {
                return false;
            }

            written = value.Length;
            return true;
        }
    }

    /// <summary>
    /// Calls <paramref name="reader"/> with the value of <paramref name="key"/> (header excluded), under the shard's
    /// lock: length and bytes from one atomic read, nothing copied (see <see cref="ValueReader{TState}"/> for the rules).
    /// </summary>
    /// <returns>True when the key was found and the callback ran.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside a callback on the same shard.</exception>
    public bool TryRead<TState>(ReadOnlySpan<byte> key, ref TState state, ValueReader<TState> reader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = Lookup(shard, key, hash);
            if (entry == null)
            {
                return false;
            }

            CallReader(shard, Payload(entry), ref state, reader);
            return true;
        }
    }

    /// <summary>
    /// Calls <paramref name="reader"/> with the header, value and deadline of <paramref name="key"/>, under the shard's
    /// lock, and gives the entry the deadline it returns: a read and a touch (sliding expiration) in one atomic step.
    /// </summary>
    /// <returns>True when the key was found and the callback ran (the entry may then have been removed, if the callback
    /// returned a deadline at or before now).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside a callback on the same shard.</exception>
    /// <exception cref="OutOfMemoryException">The entry needed a deadline field and the heap had no room (the callback
    /// ran; the entry is unchanged).</exception>
    public bool TryRead<TState>(ReadOnlySpan<byte> key, ref TState state, EntryReader<TState> reader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = Lookup(shard, key, hash);
            if (entry == null)
            {
                return false;
            }

            long deadline = BytesEntry.ExpiryOf(entry);
            long next;
            shard.InCallback = true;
            try
            {
                ReadOnlySpan<byte> value = BytesEntry.ValueSpan(entry);
                int headerLength = BytesEntry.HeaderLengthOf(entry);
                next = reader(value[..headerLength], value[headerLength..], deadline, ref state);
            }
            finally
            {
                shard.InCallback = false;
            }

            if (next != deadline)
            {
                ApplyDeadline(shard, key, hash, next);
            }

            return true;
        }
    }

    /// <summary>The bytes the store holds for <paramref name="key"/>: its entry's heap block (size-class rounding
    /// included) plus the 13 bytes of its bucket slot (Redis's <c>MEMORY USAGE</c>).</summary>
    /// <returns>True when the key is present and live.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryGetMemoryUsage(ReadOnlySpan<byte> key, out long bytes)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = FindLive(shard, key, hash);
            bytes = entry == null ? 0 : BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(entry)) + SlotBytes;
            return entry != null;
        }
    }

    /// <summary>Bytes of a bucket slot: tophash, hash word, entry word.</summary>
    private const int SlotBytes = 1 + sizeof(uint) + sizeof(long);

    /// <summary>Sets the value of <paramref name="key"/>, adding the key or overwriting it; drops any deadline it had
    /// (Redis's plain SET).</summary>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var source = new SpanValueSource(value);
        int none = 0;
        _ = SetCore<SpanValueSource, int>(key, ref source, 0, 0, SetCondition.Always, keepDeadline: false, ref none, null);
    }

    /// <summary>Sets the value of <paramref name="key"/> from a sequence (for example straight from a <c>PipeReader</c>);
    /// drops any deadline it had.</summary>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public void Set(ReadOnlySpan<byte> key, in ReadOnlySequence<byte> value)
    {
        var source = new SequenceValueSource(value);
        int none = 0;
        _ = SetCore<SequenceValueSource, int>(key, ref source, 0, 0, SetCondition.Always, keepDeadline: false, ref none, null);
    }

    /// <summary>Sets <paramref name="key"/> with a deadline and a condition: Redis's <c>SET key value [NX|XX]
    /// [EX|PX|EXAT|PXAT|KEEPTTL]</c> in one atomic step.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="deadline">UTC ticks of the store's clock; 0 for none. Ignored (the current one kept) with <paramref name="keepDeadline"/> when the key exists.</param>
    /// <param name="condition">When to write.</param>
    /// <param name="keepDeadline">Keep the deadline the key has (KEEPTTL).</param>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public SetResult Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long deadline, SetCondition condition = SetCondition.Always, bool keepDeadline = false)
    {
        var source = new SpanValueSource(value);
        int none = 0;
        return SetCore<SpanValueSource, int>(key, ref source, 0, deadline, condition, keepDeadline, ref none, null);
    }

    /// <summary>Sets <paramref name="key"/> from a sequence with a deadline and a condition (see
    /// <see cref="Set(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, SetCondition, bool)"/>).</summary>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public SetResult Set(ReadOnlySpan<byte> key, in ReadOnlySequence<byte> value, long deadline, SetCondition condition = SetCondition.Always, bool keepDeadline = false)
    {
        var source = new SequenceValueSource(value);
        int none = 0;
        return SetCore<SequenceValueSource, int>(key, ref source, 0, deadline, condition, keepDeadline, ref none, null);
    }

    /// <summary>
    /// Sets <paramref name="key"/> as <see cref="Set(ReadOnlySpan{byte}, in ReadOnlySequence{byte}, long, SetCondition, bool)"/>
    /// does, first handing its current value, if it has one, to <paramref name="oldValueReader"/> (Redis's SET … GET;
    /// with <see cref="SetCondition.IfAbsent"/> the old value is handed over although nothing is written, as Redis 7 does).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="oldValueReader"/> is null.</exception>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the callback may have run; nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public SetResult Set<TState>(ReadOnlySpan<byte> key, in ReadOnlySequence<byte> value, long deadline, SetCondition condition, bool keepDeadline, ref TState state, ValueReader<TState> oldValueReader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(oldValueReader);
        var source = new SequenceValueSource(value);
        return SetCore(key, ref source, 0, deadline, condition, keepDeadline, ref state, oldValueReader);
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="header"/> followed by <paramref name="value"/>, with a deadline
    /// (for the distributed cache): reads of the value skip the header; the <see cref="EntryReader{TState}"/> overload
    /// of <c>TryRead</c> sees both. A deadline at or before now removes the key instead.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="header">Bytes kept before the value (may be empty).</param>
    /// <param name="value">The value.</param>
    /// <param name="deadline">UTC ticks of the store's clock; 0 for none.</param>
    /// <exception cref="ArgumentException">The key, or header and value together, are longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public SetResult Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> header, in ReadOnlySequence<byte> value, long deadline)
    {
        var source = new HeaderedValueSource(header, value);
        int none = 0;
        return SetCore<HeaderedValueSource, int>(key, ref source, header.Length, deadline, SetCondition.Always, keepDeadline: false, ref none, null);
    }

    /// <summary>Adds <paramref name="key"/> when it is absent (or expired).</summary>
    /// <returns>True when added.</returns>
    /// <exception cref="ArgumentException">The key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Set(key, value, 0, SetCondition.IfAbsent) == SetResult.Stored;

    private SetResult SetCore<TSource, TState>(ReadOnlySpan<byte> key, scoped ref TSource source, int headerLength, long deadline, SetCondition condition, bool keepDeadline, ref TState state, ValueReader<TState>? oldValueReader)
        where TSource : IValueSource, allows ref struct
        where TState : allows ref struct
    {
        NativeBytesMap.CheckLengths(key.Length, source.Length);
        long incoming = MeasureOf(key.Length, source.Length, (deadline != 0 ? BytesEntry.ExpiryFlag : 0) | (headerLength > 0 ? BytesEntry.HeaderFlag : 0));
        long limit = MemoryLimit;
        bool tooLarge = limit > 0 && incoming > limit;
        if (!tooLarge)
        {
            EvictBeforeWrite(incoming);
        }

        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* old = FindLive(shard, key, hash);
            if (old != null && oldValueReader is not null)
            {
                CallReader(shard, Payload(old), ref state, oldValueReader);
            }

            if ((condition == SetCondition.IfAbsent && old != null) || (condition == SetCondition.IfPresent && old == null))
            {
                return SetResult.ConditionNotMet;
            }

            long effective = keepDeadline && old != null ? BytesEntry.ExpiryOf(old) : deadline;
            SetResult result = tooLarge ? SetResult.TooLarge
                : effective != 0 && effective <= UtcNowTicks ? SetResult.Expired
                : SetResult.Stored;
            NativeBytesMap map = shard.Map;
            map.BeginWrite();
            try
            {
                if (result == SetResult.Stored)
                {
                    map.SetCore(key, hash, ref source, MetaFor(deadline, keepDeadline, headerLength), SetMode.Upsert);
                }
                else if (old != null)
                {
                    map.RemoveEntry(hash, old);
                }
            }
            finally
            {
                map.EndWrite();
            }

            ReportUsage(shard);
            return result;
        }
    }

    /// <summary>Removes <paramref name="key"/> (Redis's DEL).</summary>
    /// <returns>True when a live key was removed.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            return RemoveLocked(shard, key, hash);
        }
    }

    /// <summary>Removes <paramref name="key"/> under its shard's (held) lock.</summary>
    private bool RemoveLocked(Shard shard, ReadOnlySpan<byte> key, ulong hash)
    {
        byte* entry = FindLive(shard, key, hash);
        if (entry == null)
        {
            return false;
        }

        RemoveFound(shard, hash, entry);
        return true;
    }

    /// <summary>Removes <paramref name="key"/>, first handing its value to <paramref name="reader"/> (Redis's GETDEL).
    /// If the callback throws, the key is not removed.</summary>
    /// <returns>True when a live key was found, read and removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool Remove<TState>(ReadOnlySpan<byte> key, ref TState state, ValueReader<TState> reader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            byte* entry = Lookup(shard, key, hash);
            if (entry == null)
            {
                return false;
            }

            CallReader(shard, Payload(entry), ref state, reader);
            RemoveFound(shard, hash, entry);
            return true;
        }
    }

    /// <summary>Removes every entry and returns its memory to the heap, one shard at a time (each shard is empty from
    /// the moment its lock is released; a write racing the clear may land in a shard already cleared). Takes about
    /// 30 ns per entry; <see cref="DetachAll"/> empties the store at once and frees later.</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public void Clear()
    {
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Enter();
                shard.Map.Clear();
                ReportUsage(shard);
            }
        }
    }

    /// <summary>
    /// Empties the store at once — each shard's map is swapped for an empty one under its lock — and returns the old
    /// contents, whose memory goes back to the heap when the returned object is disposed (for example on another
    /// thread: Redis's FLUSHALL ASYNC). Until then that memory stays in the heap, outside <see cref="UsedBytes"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public IDisposable DetachAll()
    {
        var detached = new NativeBytesMap[_shards.Length];
        for (int i = 0; i < _shards.Length; i++)
        {
            Shard shard = _shards[i];
            lock (shard.Lock)
            {
                shard.Enter();
                shard.Map.EnterRead();
                detached[i] = shard.Map;
                Volatile.Write(ref shard.Map, NewShardMap());
                shard.ExpireCursor = 0;
                ReportUsage(shard);
            }
        }

        return new DetachedContents(detached);
    }

    /// <summary>Frees every shard's memory. Idempotent. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _expiryTimer?.Dispose();
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Map.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"ConcurrentNativeBytesMap(Count = {Count}, Shards = {_shards.Length})";

    /// <summary>Checks every shard's invariants (for tests); throws <see cref="InvalidOperationException"/> naming the first broken.</summary>
    internal void Validate()
    {
        long used = 0;
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Map.Validate();
                used += shard.ReportedBytes;
            }
        }

        if (used != Interlocked.Read(ref _usedBytes))
        {
            BytesThrowHelper.ThrowInvariant("used-bytes", $"the shards reported {used} bytes, the total says {Interlocked.Read(ref _usedBytes)}");
        }
    }
}
