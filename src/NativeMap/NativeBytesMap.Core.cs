using System.IO.Hashing;
using System.Runtime.CompilerServices;
using NativeMap.Allocator;

namespace NativeMap;

/*
 * NativeBytesMap: design.
 *
 * A map from byte strings to byte strings whose every byte lives in a SpanHeap. The table is the classic Go map, as
 * NativeMap<TKey,TValue> has it (read NativeMap.Core.cs first: the same words mean the same things here); what differs
 * is that keys and values are out of line.
 *
 * Terminology. The map is an array of 2^B buckets of 8 slots (BytesBucket.cs: tophash[8], uint hash[8], entry[8],
 * overflow pointer; 112 bytes); the buckets linked through overflow pointers form a chain. A slot refers to an entry
 * block (BytesEntry.cs: lengths, optional expiry and access stamp, key bytes, value bytes), one heap block per entry.
 *
 * Hashing. hash = XxHash3-64(key, seed) (System.IO.Hashing; 64-bit seed drawn per map, drawn again whenever the map
 * becomes empty, as Go does against hash flooding). The low B bits choose the bucket; the top 8 bits are the slot's
 * tophash (TopHash.cs); the low 32 bits are kept in the slot's hash word. Bits 32-55 are used by neither, which is where
 * the concurrent store picks its shard (ConcurrentNativeBytesMap.cs); shard maps take the store's seed and the hash
 * the store computed, so each key is hashed once.
 *
 * Lookup. SWAR-match the 8 tophash bytes of a bucket; a slot that matches and whose hash word equals the key's low 32
 * bits (40 hash bits in all: a stranger passes both with odds of 2^-40) gets its entry read and its key compared.
 * emptyRest in slot 7 ends the search. Mid-resize, the old bucket the hash selects is read when it is not evacuated.
 * So a miss reads one bucket (two cache lines) and no entry; a hit reads the bucket and the entry block, whose key and
 * value are adjacent.
 *
 * Insert, delete, emptyRest, growth at load 13/2, same-size growth when overflow buckets reach 2^B, shrink below a
 * quarter of that load, hysteresis and the capacity floor: exactly NativeMap's rules. Evacuation (NativeBytesMap.Growth.cs)
 * moves slots (tophash, hash word, entry word) and never reads an entry: the hash word holds every bit a bucket index can
 * use (B <= 30), which is why it is 32 bits and not fewer. Entries themselves move only when an overwrite changes their
 * block size, and (phase 2) when compaction moves them.
 *
 * Writes allocate before they change anything: a new entry block (and, when its chain is full, an overflow bucket) is
 * allocated and filled before the slot is linked; an overwrite that needs a different block size gets its new block
 * filled before the old one is freed. So an OutOfMemoryException (or a key or value over 512 MiB, refused before any
 * allocation) leaves every entry as it was. (A growth the insert started stays started: the map holds the same entries.)
 *
 * Epochs. _version changes when a key is added (enumerators then throw, as Dictionary's do). _layoutEpoch changes when
 * slots move (evacuation, resize, clear): an enumerator's buffered slot addresses are valid while it holds. _entryEpoch
 * changes when an entry block is freed or moved (remove, resizing overwrite, clear, compaction): an Entry from an
 * enumerator may be read while it holds. _writeStamp changes on every write: a read that calls user code in the middle
 * of a copy (an IBufferWriter) checks it before it reads the entry again, so a destination that writes to the map cannot
 * make the map read freed memory.
 *
 * Threads. Not thread-safe for writers; concurrent readers with no writer are safe (reads write nothing). _writing is
 * set for the duration of every write and checked by every operation: overlapping writes throw instead of corrupting.
 * The concurrent store serialises each shard with a lock and calls the internal *Core methods under it.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>The largest bucket shift: 2^30 buckets hold 6.5 * 2^30 entries, more than an int counts.</summary>
    internal const int MaxBucketShift = 30;

    /// <summary>Growth load factor numerator: grow when count &gt; 13/2 per bucket (Go's 6.5).</summary>
    internal const int LoadFactorNumerator = 13;

    /// <summary>Growth load factor denominator.</summary>
    internal const int LoadFactorDenominator = 2;

    /// <summary>A shrink starts below a quarter of the growth load.</summary>
    internal const int ShrinkLoadDivisor = 4;

    // ---- Fields. Invariants, checked by Validate() (NativeBytesMap.Validate.cs):
    //  * _buckets == null  =>  _count == 0 && _oldBuckets == null.
    //  * _buckets holds 2^_b buckets; _minB <= _b <= MaxBucketShift.
    //  * _oldBuckets != null  =>  _oldB is _b - 1 (growth), _b (same-size growth) or _b + 1 (shrink), units below
    //    _nevacuate are evacuated.
    //  * _count == full slots in _buckets plus in unevacuated old chains; _keyBytes, _valueBytes, _entryBlockBytes and
    //    _volatileCount are the sums over those entries of key length, value length, BlockSize(size) and (expiry != 0).
    //  * Every full slot: tophash == TopHash.Of(hash), hash word == (uint)hash, ExpiryTag == (expiry != 0), where hash
    //    is the hash of the entry's key; the entry's block is BlockSize(size) bytes.

    /// <summary>The current bucket array (2^<see cref="_b"/> buckets), or null before the first insert and after Clear.</summary>
    private byte* _buckets;

    /// <summary>The array being evacuated (2^<see cref="_oldB"/> buckets), or null when no resize is in progress.</summary>
    private byte* _oldBuckets;

    /// <summary>Live entries.</summary>
    private int _count;

    /// <summary>log2 of the number of buckets in <see cref="_buckets"/>.</summary>
    private int _b;

    /// <summary>log2 of the number of buckets in <see cref="_oldBuckets"/>.</summary>
    private int _oldB;

    /// <summary>Capacity floor: the map never shrinks below 2^_minB buckets.</summary>
    private int _minB;

    /// <summary>Evacuation units below this are evacuated.</summary>
    private nuint _nevacuate;

    /// <summary>Overflow buckets hanging off <see cref="_buckets"/>.</summary>
    private int _noverflow;

    /// <summary>Overflow buckets hanging off <see cref="_oldBuckets"/>.</summary>
    private int _oldNoverflow;

    /// <summary>Sum of the live keys' lengths.</summary>
    private long _keyBytes;

    /// <summary>Sum of the live values' lengths.</summary>
    private long _valueBytes;

    /// <summary>Sum of the heap block sizes of the live entries.</summary>
    private long _entryBlockBytes;

    /// <summary>Live entries with a non-zero expiry (slots tagged <see cref="BytesBucket.ExpiryTag"/>).</summary>
    private int _volatileCount;

    /// <summary>XxHash3 seed; drawn again whenever the map becomes empty, unless <see cref="_fixedSeed"/>.</summary>
    private long _seed;

    /// <summary>The seed was given by the owner (a store's shard): keep it when the map empties.</summary>
    private readonly bool _fixedSeed;

    /// <summary>Test seam: ANDed into every hash (all ones normally); a narrow mask makes keys collide on purpose.</summary>
    private readonly ulong _hashMask;

    /// <summary>Where seeds come from: null means Random.Shared; tests pass a seeded Random to replay a run.</summary>
    private readonly Random? _seedSource;

    /// <summary>Bumped when a key is added (and by TrimExcess and a resizing EnsureCapacity): enumerators then throw.</summary>
    private int _version;

    /// <summary>Bumped whenever a slot may have moved or an array was allocated or freed.</summary>
    private int _layoutEpoch;

    /// <summary>Bumped whenever an entry block was freed or moved.</summary>
    private int _entryEpoch;

    /// <summary>Bumped by every write.</summary>
    private int _writeStamp;

    /// <summary>True while a write is in progress (best-effort detection of concurrent writers).</summary>
    private bool _writing;

    /// <summary>Set by Dispose.</summary>
    private bool _disposed;

    /// <summary>Where every byte comes from.</summary>
    private readonly SpanHeap _heap;

    /// <summary>Resizes started (growth, same-size growth, shrink, rebuild); for tests of hysteresis.</summary>
    private int _resizeCount;

    /// <summary>The hash of <paramref name="key"/> under this map's seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key, _seed) & _hashMask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint BucketMask(int b) => ((nuint)1 << b) - 1;

    /// <summary>More than 8 entries and more than 6.5 per bucket.</summary>
    private static bool OverLoad(int count, int b) =>
        count > BytesBucket.SlotCount && (ulong)count * LoadFactorDenominator > ((ulong)LoadFactorNumerator << b);

    /// <summary>As many overflow buckets as buckets (see NativeMap's TooManyOverflow for why 2^B and not 2^min(B, 15)).</summary>
    private static bool TooManyOverflow(int noverflow, int b) => noverflow >= 1 << b;

    /// <summary>Whether 2^<paramref name="b"/> buckets holding <paramref name="count"/> entries are sparse enough to shrink.</summary>
    private static bool UnderLoad(int count, int b) =>
        (ulong)count * LoadFactorDenominator * ShrinkLoadDivisor < ((ulong)LoadFactorNumerator << b);

    /// <summary>Entries 2^<paramref name="b"/> buckets hold before growing.</summary>
    internal static int CapacityOf(int b) =>
        b == 0 ? BytesBucket.SlotCount : (int)Math.Min(int.MaxValue, ((long)LoadFactorNumerator << b) / LoadFactorDenominator);

    /// <summary>The smallest bucket shift whose capacity is at least <paramref name="count"/>.</summary>
    internal static int BucketShiftFor(int count)
    {
        int b = 0;
        while (b < MaxBucketShift && OverLoad(count, b))
        {
            b++;
        }

        return b;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(NativeBytesMap));
        }
    }

    /// <summary>Checks that a read may run: not disposed, no write in flight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnterRead()
    {
        if (_writing | _disposed)
        {
            ThrowReadRefused();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowReadRefused()
    {
        ThrowIfDisposed();
        BytesThrowHelper.ThrowConcurrentWrite();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWriteRefused()
    {
        ThrowIfDisposed();
        if (Volatile.Read(ref _callbackDepth) != 0)
        {
            BytesThrowHelper.ThrowWriteInCallback();
        }

        BytesThrowHelper.ThrowConcurrentWrite();
    }

    /// <summary>Enters a write: throws when disposed or when another write is in flight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void BeginWrite()
    {
        if (_writing | _disposed | (_callbackDepth != 0))
        {
            ThrowWriteRefused();
        }

        _writing = true;
        _writeStamp++;
    }

    /// <summary>Leaves a write.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EndWrite()
    {
        if (!_writing)
        {
            BytesThrowHelper.ThrowConcurrentWrite();
        }

        _writing = false;
    }

    /// <summary>The head of the chain that holds <paramref name="hash"/>'s key, if it is in the map.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* ChainFor(ulong hash)
    {
        byte* b = BytesBucket.At(_buckets, (nuint)hash & BucketMask(_b));
        byte* old = _oldBuckets;
        if (old != null)
        {
            byte* ob = BytesBucket.At(old, (nuint)hash & BucketMask(_oldB));
            if (!TopHash.IsEvacuated(ob))
            {
                b = ob;
            }
        }

        return b;
    }

    /// <summary>
    /// The slot holding <paramref name="key"/>, or null. A read: writes nothing. The caller has checked that the map
    /// may be read (<see cref="EnterRead"/>) and passes the key's <see cref="Hash"/>.
    /// </summary>
    internal nint* FindSlot(ReadOnlySpan<byte> key, ulong hash)
    {
        if (_count == 0)
        {
            return null;
        }

        byte* b = ChainFor(hash);
        TopHash.PrefetchAll(b, BytesBucket.Size);
        ulong pattern = TopHash.Broadcast(TopHash.Of(hash));
        uint low = (uint)hash;
        do
        {
            ulong tophashes = TopHash.Load(b);
            for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
            {
                int i = TopHash.FirstSlot(match);
                if (*BytesBucket.Hash(b, i) == low)
                {
                    nint* slot = BytesBucket.Slot(b, i);
                    byte* candidate = BytesBucket.EntryOf(*slot);
                    BytesEntry.Prefetch(candidate);
                    if (BytesEntry.KeyEquals(candidate, key))
                    {
                        return slot;
                    }
                }
            }

            if (TopHash.EndsChain(tophashes))
            {
                return null;
            }

            b = BytesBucket.Overflow(b);
        }
        while (b != null);

        return null;
    }

    /// <summary>The entry of <paramref name="key"/>, or null. A read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* FindEntry(ReadOnlySpan<byte> key, ulong hash)
    {
        nint* slot = FindSlot(key, hash);
        return slot == null ? null : BytesBucket.EntryOf(*slot);
    }

    /// <summary>
    /// Looks for <paramref name="key"/> in a write: evacuates the unit its bucket depends on first, and, when
    /// <paramref name="mayInsert"/> and the key is absent, starts a growth the insert would need. Returns the key's slot,
    /// or null and where to insert: the first empty slot (<paramref name="insertBucket"/> null when the chain is full),
    /// and the chain's last bucket. Allocates only the array of a growth it starts.
    /// </summary>
    private nint* FindForWrite(ReadOnlySpan<byte> key, ulong hash, bool mayInsert, out byte* insertBucket, out int insertSlot, out byte* last)
    {
        if (_buckets == null)
        {
            AllocateFirstArray();
        }

        byte top = TopHash.Of(hash);
        ulong pattern = TopHash.Broadcast(top);
        uint low = (uint)hash;
        while (true)
        {
            nuint index = (nuint)hash & BucketMask(_b);
            if (_oldBuckets != null)
            {
                GrowWork(index);
            }

            insertBucket = null;
            insertSlot = 0;
            byte* b = BytesBucket.At(_buckets, index);
            while (true)
            {
                ulong tophashes = TopHash.Load(b);
                for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
                {
                    int i = TopHash.FirstSlot(match);
                    if (*BytesBucket.Hash(b, i) == low)
                    {
                        nint* slot = BytesBucket.Slot(b, i);
                        if (BytesEntry.KeyEquals(BytesBucket.EntryOf(*slot), key))
                        {
                            last = b;
                            return slot;
                        }
                    }
                }

                if (insertBucket == null)
                {
                    ulong empty = TopHash.MatchEmpty(tophashes);
                    if (empty != 0)
                    {
                        insertBucket = b;
                        insertSlot = TopHash.FirstSlot(empty);
                    }
                }

                byte* next = BytesBucket.Overflow(b);
                if (TopHash.EndsChain(tophashes) || next == null)
                {
                    last = b;
                    break;
                }

                b = next;
            }

            // Absent. Grow first if the insert would overload the map, then look again (the bucket moved).
            if (mayInsert && _oldBuckets == null && (OverLoad(_count + 1, _b) || TooManyOverflow(_noverflow, _b)))
            {
                StartGrowth(OverLoad(_count + 1, _b) ? _b + 1 : _b);
                continue;
            }

            return null;
        }
    }

    /// <summary>
    /// Sets <paramref name="key"/> from <paramref name="source"/> as <paramref name="mode"/> says. Runs inside
    /// BeginWrite/EndWrite; lengths were checked by the caller. Returns whether the value was written.
    /// </summary>
    internal bool SetCore<TSource>(ReadOnlySpan<byte> key, ulong hash, scoped ref TSource source, in EntryMeta meta, SetMode mode)
        where TSource : IValueSource, allows ref struct
    {
        nint* slot = FindForWrite(key, hash, mode != SetMode.ReplaceOnly, out byte* insertBucket, out int insertSlot, out byte* last);
        if (slot != null)
        {
            if (mode == SetMode.AddOnly)
            {
                return false;
            }

            ReplaceEntry(slot, ref source, meta);
            AfterWriteCompaction();
            return true;
        }

        if (mode == SetMode.ReplaceOnly)
        {
            return false;
        }

        long expiry = meta.Expiry;
        byte* entry = NewEntry(key, ref source, meta, expiry);
        if (insertBucket == null)
        {
            try
            {
                insertBucket = NewOverflowBucket(last);
            }
            catch
            {
                _heap.Free(entry);
                throw;
            }

            _noverflow++;
            insertSlot = 0;
        }

        insertBucket[insertSlot] = TopHash.Of(hash);
        *BytesBucket.Hash(insertBucket, insertSlot) = (uint)hash;
        *BytesBucket.Slot(insertBucket, insertSlot) = (nint)entry | (expiry != 0 ? BytesBucket.ExpiryTag : 0);
        _count++;
        _version++;
        AccountAdded(entry, expiry != 0);
        AfterWriteCompaction();
        return true;
    }

    /// <summary>Allocates and fills an entry block. On any exception nothing is left allocated.</summary>
    private byte* NewEntry<TSource>(ReadOnlySpan<byte> key, scoped ref TSource source, in EntryMeta meta, long expiry)
        where TSource : IValueSource, allows ref struct
    {
        int valueLength = (int)source.Length;
        uint flags = meta.FlagsFor(expiry);
        byte* entry = (byte*)_heap.Allocate((nuint)BytesEntry.SizeFor(key.Length, valueLength, flags));
        try
        {
            BytesEntry.WriteHeader(entry, key.Length, valueLength, flags, expiry, meta.StampValue, meta.HeaderLength);
            byte* k = entry + BytesEntry.KeyOffset(flags);
            key.CopyTo(new Span<byte>(k, key.Length));
            source.CopyTo(new Span<byte>(k + key.Length, valueLength));
        }
        catch
        {
            _heap.Free(entry);
            throw;
        }

        return entry;
    }

    /// <summary>
    /// Overwrites the value of the entry in <paramref name="slot"/>: in place when the new entry has the same fields and
    /// the same block size, else in a new block filled before the old one is freed.
    /// </summary>
    private void ReplaceEntry<TSource>(nint* slot, scoped ref TSource source, in EntryMeta meta)
        where TSource : IValueSource, allows ref struct
    {
        byte* old = BytesBucket.EntryOf(*slot);
        uint oldFlags = BytesEntry.Flags(old);
        int keyLength = BytesEntry.KeyLength(old);
        int oldValueLength = BytesEntry.ValueLength(old);
        long oldExpiry = BytesEntry.ExpiryOf(old);
        long expiry = meta.KeepExpiry ? oldExpiry : meta.Expiry;
        uint flags = meta.FlagsFor(expiry);
        int valueLength = (int)source.Length;
        long oldBlock = BytesEntry.BlockSize((nuint)BytesEntry.SizeFor(keyLength, oldValueLength, oldFlags));
        int size = BytesEntry.SizeFor(keyLength, valueLength, flags);
        long block = BytesEntry.BlockSize((nuint)size);
        byte* entry;
        if (flags == oldFlags && block == oldBlock)
        {
            entry = old;
            BytesEntry.WriteHeader(entry, keyLength, valueLength, flags, expiry, meta.StampValue, meta.HeaderLength);
            source.CopyTo(new Span<byte>(BytesEntry.Value(entry), valueLength));
        }
        else
        {
            entry = (byte*)_heap.Allocate((nuint)size);
            try
            {
                BytesEntry.WriteHeader(entry, keyLength, valueLength, flags, expiry, meta.StampValue, meta.HeaderLength);
                Buffer.MemoryCopy(BytesEntry.Key(old), entry + BytesEntry.KeyOffset(flags), keyLength, keyLength);
                source.CopyTo(new Span<byte>(BytesEntry.Value(entry), valueLength));
            }
            catch
            {
                _heap.Free(entry);
                throw;
            }

            _heap.Free(old);
            _entryEpoch++;
            _entryBlockBytes += block - oldBlock;
        }

        *slot = (nint)entry | (expiry != 0 ? BytesBucket.ExpiryTag : 0);
        _valueBytes += valueLength - oldValueLength;
        _volatileCount += (expiry != 0 ? 1 : 0) - (oldExpiry != 0 ? 1 : 0);
    }

    private void AccountAdded(byte* entry, bool isVolatile)
    {
        _keyBytes += BytesEntry.KeyLength(entry);
        _valueBytes += BytesEntry.ValueLength(entry);
        _entryBlockBytes += BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(entry));
        _volatileCount += isVolatile ? 1 : 0;
    }

    /// <summary>Removes <paramref name="key"/>. Runs inside BeginWrite/EndWrite, on any map.</summary>
    internal bool RemoveCore(ReadOnlySpan<byte> key, ulong hash) => RemoveMatching(key, hash, null);

    /// <summary>
    /// Removes the entry block <paramref name="entry"/> whose key hashes to <paramref name="hash"/>, found by address (no
    /// key compare): for a caller that holds an entry pointer from a sample, which may be stale. Runs inside a write.
    /// </summary>
    internal bool RemoveEntry(ulong hash, byte* entry) => RemoveMatching(default, hash, entry);

    /// <summary>Removes the entry of <paramref name="hash"/> that is <paramref name="entry"/>, or when that is null, whose key is <paramref name="key"/>.</summary>
    private bool RemoveMatching(ReadOnlySpan<byte> key, ulong hash, byte* entry)
    {
        if (_count == 0)
        {
            return false;
        }

        nuint index = (nuint)hash & BucketMask(_b);
        if (_oldBuckets != null)
        {
            GrowWork(index);
        }

        byte* head = BytesBucket.At(_buckets, index);
        ulong pattern = TopHash.Broadcast(TopHash.Of(hash));
        for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
        {
            ulong tophashes = TopHash.Load(b);
            for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
            {
                int i = TopHash.FirstSlot(match);
                if (*BytesBucket.Hash(b, i) == (uint)hash
                    && (entry == null ? BytesEntry.KeyEquals(BytesBucket.Entry(b, i), key) : BytesBucket.Entry(b, i) == entry))
                {
                    RemoveAt(head, b, i);
                    AfterWriteCompaction();
                    return true;
                }
            }

            if (TopHash.EndsChain(tophashes))
            {
                break;
            }
        }

        return false;
    }

    /// <summary>Frees the entry of slot <paramref name="slot"/> of <paramref name="bucket"/> (in the chain from <paramref name="head"/>), empties the slot, and lets the map shrink or reset.</summary>
    private void RemoveAt(byte* head, byte* bucket, int slot)
    {
        nint word = *BytesBucket.Slot(bucket, slot);
        byte* entry = BytesBucket.EntryOf(word);
        int keyLength = BytesEntry.KeyLength(entry);
        int valueLength = BytesEntry.ValueLength(entry);
        long block = BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(entry));
        _heap.Free(entry); // validates first: if it throws, nothing has changed
        DeleteSlot(head, bucket, slot);
        _count--;
        _keyBytes -= keyLength;
        _valueBytes -= valueLength;
        _entryBlockBytes -= block;
        _volatileCount -= (int)(word & BytesBucket.ExpiryTag);
        _entryEpoch++;
        if (_count == 0)
        {
            OnEmptied();
        }
        else if (_oldBuckets == null && _b > _minB && UnderLoad(_count, _b))
        {
            TryStartShrink();
        }
    }

    /// <summary>Marks a slot empty and propagates emptyRest backwards (NativeMap's DeleteSlot).</summary>
    private static void DeleteSlot(byte* head, byte* bucket, int slot)
    {
        bucket[slot] = TopHash.EmptyOne;
        if (slot != BytesBucket.SlotCount - 1)
        {
            if (bucket[slot + 1] != TopHash.EmptyRest)
            {
                return;
            }
        }
        else
        {
            byte* next = BytesBucket.Overflow(bucket);
            if (next != null && next[0] != TopHash.EmptyRest)
            {
                return;
            }
        }

        byte* b = bucket;
        int i = slot;
        while (true)
        {
            b[i] = TopHash.EmptyRest;
            if (i == 0)
            {
                if (b == head)
                {
                    break;
                }

                // No back pointers: find the previous bucket from the head of the chain.
                byte* previous = head;
                while (BytesBucket.Overflow(previous) != b)
                {
                    previous = BytesBucket.Overflow(previous);
                }

                b = previous;
                i = BytesBucket.SlotCount - 1;
            }
            else
            {
                i--;
            }

            if (b[i] != TopHash.EmptyOne)
            {
                break;
            }
        }
    }
}
