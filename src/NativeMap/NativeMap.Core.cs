using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NativeMap.Allocator;

namespace NativeMap;

/*
 * NativeMap: design.
 *
 * Terminology (Go's runtime/map.go). The map is an array of 2^B buckets. A bucket has 8 slots (tophash[8], overflow
 * pointer, then 8 keys and 8 values, as pairs or grouped; BucketLayout.cs); the buckets linked from it through overflow
 * pointers form its chain.
 * hash = Hash(key) (Hashing.cs, 64 bits, per-map seed): the low B bits choose the bucket, the top 8 bits are the slot's
 * tophash (TopHash.cs: values 0-4 are sentinels).
 *
 * Lookup. Compare the bucket's 8 tophash bytes with the key's at once (a vector byte compare; TopHash.cs) to get the
 * slots whose tophash matches; each gets a full key compare. If slot 7 is emptyRest the rest of the chain is empty and
 * the search ends, otherwise it goes on in the overflow bucket. While the map is evacuating, the old chain the hash
 * selects is read instead when it is not evacuated yet (its unit is at or above _nevacuate).
 *
 * Insert scans the chain for the key and remembers the first empty slot (emptyOne or emptyRest) on the way; emptyRest
 * ends the scan. Filling the first empty slot keeps the emptyRest slots a suffix of the chain: the invariant is that a
 * slot marked emptyRest is followed, to the end of the chain, only by emptyRest slots. With no empty slot, a new overflow
 * bucket is allocated from the heap (a small block, not zeroed: its tophash and overflow pointer are written).
 *
 * Delete sets emptyOne; then, if the next slot (slot 0 of the overflow bucket after slot 7; no overflow bucket counts as
 * emptyRest) is emptyRest, it walks backwards turning emptyOne into emptyRest until a full slot or the head of the
 * chain. Buckets have no back pointers: stepping into the previous bucket re-walks the chain from its head.
 *
 * Growth (NativeMap.Growth.cs). An insert of a new key grows the map when count > 8 && count > 6.5 * 2^B (the ratio is
 * kept as 13/2), or does a same-size grow (compaction) when overflow buckets reach 2^B (Go's 2^min(B, 15) with its sampled counter). A delete starts a
 * shrink to 2^(B-1) when count < 6.5 * 2^B / 4. Either way the new array is allocated zeroed by the heap (which skips
 * the memset for pages it knows are zero; we never clear it again) and the old one is kept as _oldBuckets; no entry
 * moves then. Every write (insert, overwrite, delete) that finds _oldBuckets set evacuates the lowest units not yet
 * evacuated (from _nevacuate: 2 during growth, 8 during a shrink), strictly in order, so evacuation ends within
 * 2^oldB / 2 writes and streams through both arrays. Where Go first evacuates the bucket the write's key maps to (three
 * random cache misses: old bucket, X and Y), a write whose old chain is not evacuated yet works in that old chain, and
 * evacuation moves what it finds there later (NativeMap.Growth.cs). Each old overflow bucket is freed as soon as its
 * chain is evacuated; the old array goes back to the heap the moment the last unit is done. No grow or shrink starts
 * while another is in progress.
 *
 * Shrink hysteresis. A shrink starts at load 13/8 (a quarter of the growth load) and leaves load 13/4; growth starts at
 * 13/2 and leaves 13/4. From either end, the entry count must double (to grow again) or halve (to shrink again) before
 * the array changes size again, so inserts and deletes alternating near a threshold cannot thrash. The map never
 * shrinks below the capacity given to the constructor or EnsureCapacity (_minB); TrimExcess drops that floor. When the
 * last entry is removed the old array is freed at once (nothing is left to move), the array is cut back to 2^_minB
 * buckets, and the seed is drawn again.
 *
 * Enumeration (NativeMap.Enumerator.cs) walks the buckets of the size the map had when it started, in index order,
 * and falls back to an order by bit-reversed hash, independent of the array size, only where removes moved entries
 * under it; removes and the evacuations they cause cannot make it skip or repeat an entry.
 *
 * Fast paths. Lookups, inserts that fit an existing slot, overwrites and removes of a bitwise (primitive, enum, Guid,
 * detected bitwise struct) or floating-point key under the default comparer, or of any non-floating-point key under
 * BitwiseEqualityComparer (the opt-in; _defaultHashing says which), run inline in the public method when one field,
 * _fastBuckets, is not null: it holds the array when the map is non-empty, not resizing and not being written. They
 * hash with the JIT-folded bitwise hash (XxHash3 for structs of sizes other than 1, 2, 4, 8, 16), compare bytes, and use the mask and thresholds precomputed for the current size (_fastMask, _growAt, _shrinkBelow,
 * _overflowLimit). Everything else (a comparer, an empty
 * map, a resize in progress, an insert that would grow or needs an overflow bucket, a remove that shrinks) takes the
 * general path, which is the reference implementation; the fast paths must agree with it (the model tests run both).
 * Why: over maps larger than the caches, throughput is bound by how many operations the out-of-order window holds at
 * once, so fewer instructions per operation buy overlap of cache misses (measured in NativeMap.FindValue's remarks).
 *
 * Writers. _writing is set for the duration of every write and checked by every operation: a write that overlaps
 * another operation throws InvalidOperationException instead of corrupting the chains (best effort, like Go's
 * hashWriting flag; not a lock). Writes are exception-safe: user code (a comparer) and allocation run before any entry
 * moves, so an exception leaves the map as it was or as it would be after a whole evacuation step.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>The largest bucket shift: 2^30 buckets hold 6.5 * 2^30 entries, more than an int counts.</summary>
    internal const int MaxBucketShift = 30;

    /// <summary>Growth load factor numerator: grow when count &gt; 13/2 per bucket (Go's 6.5).</summary>
    internal const int LoadFactorNumerator = 13;

    /// <summary>Growth load factor denominator.</summary>
    internal const int LoadFactorDenominator = 2;

    /// <summary>A shrink starts below a quarter of the growth load: count &lt; (13/2) * 2^B / 4.</summary>
    internal const int ShrinkLoadDivisor = 4;


    // ---- Fields. Invariants, checked by Validate() (NativeMap.Validate.cs):
    //  * _buckets == null  =>  _count == 0 && _oldBuckets == null. After Dispose also _disposed.
    //  * _buckets holds 2^_b buckets; _minB <= _b <= MaxBucketShift.
    //  * _oldBuckets != null  =>  _oldB is _b - 1 (growth), _b (same-size growth) or _b + 1 (shrink), and units below
    //    _nevacuate are evacuated. A unit is one old bucket for growth, one new bucket (two old ones) for a shrink.
    //  * _count == number of full slots in _buckets plus in unevacuated old chains.
    //  * _noverflow == overflow buckets reachable from _buckets; _oldNoverflow == those reachable from _oldBuckets.

    /// <summary>The current bucket array (2^<see cref="_b"/> buckets), or null before the first insert and after Clear.</summary>
    private byte* _buckets;

    /// <summary>The array being evacuated (2^<see cref="_oldB"/> buckets), or null when no growth or shrink is in progress.</summary>
    private byte* _oldBuckets;

    /// <summary>Live entries.</summary>
    private int _count;

    /// <summary>log2 of the number of buckets in <see cref="_buckets"/>.</summary>
    private int _b;

    /// <summary>log2 of the number of buckets in <see cref="_oldBuckets"/>.</summary>
    private int _oldB;

    /// <summary>Capacity floor: the map never shrinks below 2^_minB buckets (set by the constructor and EnsureCapacity).</summary>
    private int _minB;

    /// <summary>Evacuation units below this are evacuated (units above it may be too, evacuated out of order by writes).</summary>
    private nuint _nevacuate;

    /// <summary>Overflow buckets hanging off <see cref="_buckets"/>.</summary>
    private int _noverflow;

    /// <summary>Overflow buckets hanging off <see cref="_oldBuckets"/>; freed as each old chain is evacuated.</summary>
    private int _oldNoverflow;

    /// <summary>Hash seed; drawn again whenever the map becomes empty.</summary>
    private HashSeed _seed;

    /// <summary>Where seeds come from: null means Random.Shared; tests pass a seeded Random to replay a run exactly.</summary>
    private readonly Random? _seedSource;

    /// <summary>Bumped when a key is added (and by TrimExcess and a resizing EnsureCapacity): enumerators then throw.
    /// Removes and overwrites leave it alone, as in Dictionary.</summary>
    private int _version;

    /// <summary>Bumped whenever an entry may have moved or an array was allocated or freed (evacuation steps, grow and
    /// shrink starts and ends, Clear, rebuilds, seed changes). Enumerators re-find their place when it changes.</summary>
    private int _layoutEpoch;

    /// <summary>True while a write is in progress (best-effort detection of concurrent writers).</summary>
    private bool _writing;

    /// <summary>
    /// <see cref="_buckets"/> when the inline paths may run (the key hashes bitwise under the default comparer, the map
    /// has entries, no resize is in progress and no write is in flight), else null. Cleared by BeginWrite and recomputed
    /// by EndWrite (every change of those conditions happens inside a write, or in Dispose), so that a lookup tests
    /// and loads one field where it would test four and then load the array.
    /// </summary>
    private byte* _fastBuckets;

    // The mask and thresholds of the current size, recomputed with _fastBuckets (RecomputeFastState) and read only by the
    // inline paths, which run only when no resize is in progress, so they always describe the current array.

    /// <summary>2^_b - 1: the bucket of a hash on the inline paths (kept so that a lookup does not derive it from _b).</summary>
    private nuint _fastMask;

    /// <summary>An insert of a new key when <see cref="_count"/> reaches this leaves the inline path for the growth:
    /// <see cref="CapacityOf"/>(_b).</summary>
    private int _growAt;

    /// <summary>A remove that leaves <see cref="_count"/> below this starts a shrink (or, at 0, resets the map).</summary>
    private int _shrinkBelow;

    /// <summary>Overflow buckets that trigger a same-size growth: 2^_b.</summary>
    private int _overflowLimit;

    /// <summary>Set by Dispose; the arrays are then null and _count is 0, so hot paths only test it on their empty path.</summary>
    private bool _disposed;

    /// <summary>Where every byte comes from.</summary>
    private readonly SpanHeap _heap;

    /// <summary>The user's comparer, or null for the default (which allows the bitwise fast paths).</summary>
    private readonly IEqualityComparer<TKey>? _comparer;

    /// <summary>
    /// Whether keys are hashed and compared by <see cref="KeyHashing{TKey}"/>'s default functions (HashDefault,
    /// EqualsDefault) and the inline paths may run: the default comparer over a key kind other than Comparer, or
    /// <see cref="BitwiseEqualityComparer{T}"/> (the opt-in) over a key that is not floating-point.
    /// </summary>
    private readonly bool _defaultHashing;

    /// <summary>Resizes started (growth, same-size growth, shrink, rebuild); a diagnostic for tests of hysteresis.</summary>
    private int _resizeCount;

    private KeyCollection? _keys;
    private ValueCollection? _values;

    /// <summary>Hash of a key under this map's seed and comparer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Hash(in TKey key)
    {
        if (UsesDefaultHashing)
        {
            return KeyHashing<TKey>.HashDefault(key, _seed);
        }

        return HashThroughComparer(key);
    }

    /// <summary>Key equality under this map's comparer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool KeysEqual(in TKey stored, in TKey probe)
    {
        if (UsesDefaultHashing)
        {
            return KeyHashing<TKey>.EqualsDefault(stored, probe);
        }

        return _comparer is null ? EqualityComparer<TKey>.Default.Equals(stored, probe) : _comparer.Equals(stored, probe);
    }

    /// <summary>
    /// Whether <see cref="_defaultHashing"/> holds. For primitive and detected struct keys without a comparer the JIT
    /// still reads the field (a comparer may be given), for floating-point keys likewise; it is one load beside the seed.
    /// </summary>
    private bool UsesDefaultHashing
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _defaultHashing;
    }

    private ulong HashThroughComparer(in TKey key)
    {
        int code = _comparer is null ? EqualityComparer<TKey>.Default.GetHashCode(key) : _comparer.GetHashCode(key);
        return KeyHashing<TKey>.HashCode(code, _seed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint BucketMask(int b) => ((nuint)1 << b) - 1;

    /// <summary>Go's overLoadFactor: more than 8 entries and more than 6.5 per bucket.</summary>
    private static bool OverLoad(int count, int b) =>
        count > BucketLayout<TKey, TValue>.SlotCount && (ulong)count * LoadFactorDenominator > ((ulong)LoadFactorNumerator << b);

    /// <summary>
    /// Go's tooManyOverflowBuckets: as many overflow buckets as buckets. Go compares with 2^min(B, 15), but for B &gt; 15
    /// its counter is sampled (incremented with probability 2^(15-B)), so the real threshold is about 2^B buckets at
    /// every size; we count exactly and compare with 2^B. (Comparing an exact count with 2^15 would start a same-size
    /// growth over and over in any map above 2^16 buckets: at load 6.5 a fifth of all buckets have overflow.)
    /// </summary>
    private static bool TooManyOverflow(int noverflow, int b) => noverflow >= 1 << b;

    /// <summary>Whether a map of 2^<paramref name="b"/> buckets holding <paramref name="count"/> entries is sparse enough to shrink.</summary>
    private static bool UnderLoad(int count, int b) =>
        (ulong)count * LoadFactorDenominator * ShrinkLoadDivisor < ((ulong)LoadFactorNumerator << b);

    /// <summary>Entries 2^<paramref name="b"/> buckets hold before growing.</summary>
    internal static int CapacityOf(int b) =>
        b == 0 ? BucketLayout<TKey, TValue>.SlotCount : (int)Math.Min(int.MaxValue, ((long)LoadFactorNumerator << b) / LoadFactorDenominator);

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
            ThrowHelper.ThrowObjectDisposed(GetType().Name);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeginWrite()
    {
        if (_writing)
        {
            ThrowHelper.ThrowConcurrentWrite();
        }

        _writing = true;
        _fastBuckets = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndWrite()
    {
        if (!_writing)
        {
            ThrowHelper.ThrowConcurrentWrite();
        }

        _writing = false;
        RecomputeFastState();
    }

    /// <summary>Leaves a write entered with <see cref="BeginFastWrite"/> that did not resize.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndFastWrite()
    {
        if (!_writing)
        {
            ThrowHelper.ThrowConcurrentWrite();
        }

        _writing = false;
        _fastBuckets = _count != 0 && _oldBuckets == null ? _buckets : null; // a remove may have emptied the map or started a shrink
    }

    /// <summary>Recomputes <see cref="_fastBuckets"/>, the mask and the thresholds the inline paths use, after a write that may have resized.</summary>
    private void RecomputeFastState()
    {
        _fastBuckets = UsesDefaultHashing && _count != 0 && _oldBuckets == null ? _buckets : null;
        _fastMask = BucketMask(_b);
        _growAt = CapacityOf(_b);
        _shrinkBelow = _b > _minB
            ? (int)Math.Min(int.MaxValue, (((long)LoadFactorNumerator << _b) + (LoadFactorDenominator * ShrinkLoadDivisor) - 1) / (LoadFactorDenominator * ShrinkLoadDivisor))
            : 1; // ceil(6.5 * 2^B / 4): count below it is UnderLoad; 1 means only the last remove (count 0) resizes
        _overflowLimit = 1 << _b;
    }

    /// <summary>
    /// The bucket array when the inline paths may run (default bitwise equality, entries present, no resize, no write in
    /// flight), else null; always null for keys hashed through a comparer (the JIT folds the test away).
    /// </summary>
    private byte* FastBuckets
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _fastBuckets;
    }

    /// <summary>Whether the inline paths may run.</summary>
    private bool CanTakeFastPath => FastBuckets != null;

    /// <summary>Enters a write from an inline path (which only runs when <see cref="_fastBuckets"/> says no write is in flight).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeginFastWrite()
    {
        _fastBuckets = null;
        _writing = true;
    }

    /// <summary>
    /// Address of the value of <paramref name="key"/>, or null. A read: safe alongside other readers.
    /// </summary>
    /// <remarks>
    /// The common case (a bitwise or floating-point key under the default comparer, a non-empty map, no resize in
    /// progress, no write in flight) is tested with one branch and runs inline in the caller; everything else goes to
    /// <see cref="FindValueGeneral"/>. Why it pays: lookups over a map larger than the caches are bound by how many can
    /// be in flight at once, which the out-of-order window decides; a short inline path (no call, no saved registers,
    /// one field instead of four tests) lets more lookups overlap. Measured on 1 M random long keys (TieredCompilation
    /// off, same process, same table): 49 ns per hit through the general path, 39 ns inline. Then, with the key kept in a
    /// register (by value, not <c>in</c>), the array and mask read from two fields, the hash's multiply without a stack
    /// round trip and the tophash compare as one vector compare (TopHash.MatchSlots), 10 M ulong keys, warm heap, two
    /// alternating runs: hits 56-83 -> 49-50 ns, misses 48-69 -> 31-38 ns.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TValue* FindValue(TKey key)
    {
        byte* buckets = FastBuckets;
        if (buckets == null)
        {
            return FindValueGeneral(key);
        }

        ulong hash = KeyHashing<TKey>.HashDefault(key, _seed);
        byte* b = BucketLayout<TKey, TValue>.At(buckets, (nuint)hash & _fastMask);
        return SearchChain(b, TopHash.Of(hash), key, defaultEquality: true);
    }

    /// <summary>Every lookup the inline path of <see cref="FindValue"/> does not take.</summary>
    /// <remarks>The key is passed by value: passing it by reference would make the caller's copy address-exposed, and
    /// the inline path would then keep it on the stack instead of in a register.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TValue* FindValueGeneral(TKey key)
    {
        if (_count == 0)
        {
            ThrowIfDisposed();
            return null;
        }

        if (_writing)
        {
            ThrowHelper.ThrowConcurrentWrite();
        }

        ulong hash = Hash(key);
        return SearchChain(HeadFor(hash, out _), TopHash.Of(hash), key, defaultEquality: false);
    }

    /// <summary>
    /// The head of the chain that holds <paramref name="hash"/>'s key if it is present, and takes it if it is added: the
    /// old chain while a resize has not evacuated it yet (<paramref name="inOld"/>), else the new one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* HeadFor(ulong hash, out bool inOld)
    {
        byte* old = _oldBuckets;
        if (old != null)
        {
            nuint o = (nuint)hash & BucketMask(_oldB);
            if (!IsEvacuatedOld(o))
            {
                inOld = true;
                return BucketLayout<TKey, TValue>.At(old, o);
            }
        }

        inOld = false;
        return BucketLayout<TKey, TValue>.At(_buckets, (nuint)hash & BucketMask(_b));
    }

    /// <summary>Looks for <paramref name="key"/> in the chain from <paramref name="b"/>; emptyRest ends the search.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TValue* SearchChain(byte* b, byte top, in TKey key, bool defaultEquality)
    {
        Vector128<byte> pattern = TopHash.VectorPattern(top);
        do
        {
            for (uint match = TopHash.MatchSlots(b, pattern); match != 0; match &= match - 1)
            {
                int i = BitOperations.TrailingZeroCount(match);
                TKey* candidate = BucketLayout<TKey, TValue>.Key(b, i);
                if (defaultEquality ? KeyHashing<TKey>.EqualsDefault(*candidate, key) : KeysEqual(*candidate, key))
                {
                    return BucketLayout<TKey, TValue>.Value(b, i);
                }
            }

            if (TopHash.EndsChain(b))
            {
                return null;
            }

            b = BucketLayout<TKey, TValue>.Overflow(b);
        }
        while (b != null);

        return null;
    }

    /// <summary>
    /// Looks for <paramref name="key"/> in the chain from <paramref name="b"/> and notes on the way the first empty slot
    /// (null bucket when the chain is full) and the last bucket reached.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TValue* SearchChainForInsert(byte* b, ulong pattern, in TKey key, bool defaultEquality, out byte* insertBucket, out int insertSlot, out byte* last)
    {
        insertBucket = null;
        insertSlot = 0;
        while (true)
        {
            ulong tophashes = TopHash.Load(b);
            for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
            {
                int i = TopHash.FirstSlot(match);
                TKey* candidate = BucketLayout<TKey, TValue>.Key(b, i);
                if (defaultEquality ? KeyHashing<TKey>.EqualsDefault(*candidate, key) : KeysEqual(*candidate, key))
                {
                    last = b;
                    return BucketLayout<TKey, TValue>.Value(b, i);
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

            byte* next = BucketLayout<TKey, TValue>.Overflow(b);
            if (TopHash.EndsChain(tophashes) || next == null)
            {
                last = b;
                return null;
            }

            b = next;
        }
    }

    /// <summary>
    /// The inline insert: address of the value of <paramref name="key"/>, adding the key in the first empty slot when
    /// absent; null when the general path must run instead (the chain is full, or this insert would start a growth).
    /// Runs no user code and allocates nothing, so it cannot throw. Caller: <see cref="BeginFastWrite"/> first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TValue* FindOrInsertFast(in TKey key, out bool exists)
    {
        ulong hash = KeyHashing<TKey>.HashDefault(key, _seed);
        byte* b = BucketLayout<TKey, TValue>.At(_buckets, (nuint)hash & _fastMask);

        // An insert writes the value line of the slot it picks, which is known only once the tophash line is in:
        // ask for the rest of the bucket now. Measured (1 M random long inserts into an empty map): 79 -> 68 ns.
        TopHash.PrefetchRest(b, BucketLayout<TKey, TValue>.BucketSize);
        byte top = TopHash.Of(hash);
        TValue* found = SearchChainForInsert(b, TopHash.Broadcast(top), key, defaultEquality: true, out byte* insertBucket, out int insertSlot, out _);
        if (found != null)
        {
            exists = true;
            return found;
        }

        exists = false;
        if ((insertBucket == null) | (_count >= _growAt) | (_noverflow >= _overflowLimit))
        {
            return null;
        }

        insertBucket[insertSlot] = top;
        *BucketLayout<TKey, TValue>.Key(insertBucket, insertSlot) = key;
        _count++;
        _version++;
        return BucketLayout<TKey, TValue>.Value(insertBucket, insertSlot);
    }

    /// <summary>
    /// Address of the value of <paramref name="key"/>, adding the key when absent (the new value slot is not
    /// initialised; the caller writes it). Runs inside BeginWrite/EndWrite.
    /// </summary>
    private TValue* FindOrInsert(in TKey key, out bool exists)
    {
        ulong hash = Hash(key);
        if (_buckets == null)
        {
            AllocateFirstArray();
        }

        byte top = TopHash.Of(hash);
        ulong pattern = TopHash.Broadcast(top);
        while (true)
        {
            if (_oldBuckets != null)
            {
                GrowWork();
            }

            // Mid-resize, a key whose old chain is not evacuated yet is added there (evacuation moves it later with the
            // rest): writes never evacuate out of order, so evacuation streams through both arrays.
            byte* b = HeadFor(hash, out bool inOld);
            TopHash.PrefetchRest(b, BucketLayout<TKey, TValue>.BucketSize);
            TValue* found = SearchChainForInsert(b, pattern, key, defaultEquality: false, out byte* insertBucket, out int insertSlot, out byte* last);
            if (found != null)
            {
                exists = true;
                return found;
            }

            // The key is absent. Grow first if this insert would overload the map (then look again: the key's bucket moved).
            if (_oldBuckets == null && (OverLoad(_count + 1, _b) || TooManyOverflow(_noverflow, _b)))
            {
                StartGrowth(OverLoad(_count + 1, _b) ? _b + 1 : _b);
                continue;
            }

            if (insertBucket == null)
            {
                // The chain is full: last is its last bucket.
                insertBucket = NewOverflowBucket(last);
                if (inOld)
                {
                    _oldNoverflow++;
                }
                else
                {
                    _noverflow++;
                }

                insertSlot = 0;
            }

            insertBucket[insertSlot] = top;
            *BucketLayout<TKey, TValue>.Key(insertBucket, insertSlot) = key;
            _count++;
            _version++;

            exists = false;
            return BucketLayout<TKey, TValue>.Value(insertBucket, insertSlot);
        }
    }

    /// <summary>
    /// The inline remove (see <see cref="FindValue"/> for when it runs). Copies the value to <paramref name="value"/>
    /// unless that is null. Caller: <see cref="BeginFastWrite"/> first, EndWrite after.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool RemoveFast(in TKey key, TValue* value)
    {
        ulong hash = KeyHashing<TKey>.HashDefault(key, _seed);
        byte* head = BucketLayout<TKey, TValue>.At(_buckets, (nuint)hash & _fastMask);
        return RemoveFromChain(head, TopHash.Broadcast(TopHash.Of(hash)), key, defaultEquality: true, value);
    }

    /// <summary>
    /// Removes <paramref name="key"/>, copying its value to <paramref name="value"/> when that is not null (Remove(key)
    /// passes null and so never touches the value's cache line). Runs inside BeginWrite/EndWrite, on a map with at least
    /// one entry.
    /// </summary>
    private bool RemoveCore(in TKey key, TValue* value)
    {
        ulong hash = Hash(key);
        if (_oldBuckets != null)
        {
            GrowWork();
        }

        return RemoveFromChain(HeadFor(hash, out _), TopHash.Broadcast(TopHash.Of(hash)), key, defaultEquality: false, value);
    }

    /// <summary>Finds and deletes <paramref name="key"/> in the chain at <paramref name="head"/>, then lets the map shrink or reset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool RemoveFromChain(byte* head, ulong pattern, in TKey key, bool defaultEquality, TValue* value)
    {
        for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
        {
            ulong tophashes = TopHash.Load(b);
            for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
            {
                int i = TopHash.FirstSlot(match);
                TKey* candidate = BucketLayout<TKey, TValue>.Key(b, i);
                if (defaultEquality ? KeyHashing<TKey>.EqualsDefault(*candidate, key) : KeysEqual(*candidate, key))
                {
                    if (value != null)
                    {
                        *value = *BucketLayout<TKey, TValue>.Value(b, i);
                    }

                    DeleteSlot(head, b, i);
                    _count--;
                    if (defaultEquality
                        ? _count < _shrinkBelow
                        : _count == 0 || (_oldBuckets == null && _b > _minB && UnderLoad(_count, _b)))
                    {
                        AfterRemoveResize(inlinePath: defaultEquality);
                    }

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

    /// <summary>The last entry is gone (reset) or the map became sparse (start a shrink).</summary>
    /// <param name="inlinePath">Called from the inline remove, which has no finally block to leave the write.</param>
    [MethodImpl(MethodImplOptions.NoInlining)] // rare: keeps the remove paths small
    private void AfterRemoveResize(bool inlinePath)
    {
        try
        {
            if (_count == 0)
            {
                OnEmptied();
            }
            else
            {
                TryStartShrink();
            }

            RecomputeFastState();
        }
        catch when (inlinePath)
        {
            RecomputeFastState();
            // Only the heap can throw here (a disposed heap); the entry is removed and the map is consistent. Leave
            // the write so that the map stays usable, and let the caller see the exception. (The general path leaves
            // it in its finally block.)
            _writing = false;
            throw;
        }
    }

    /// <summary>Marks slot <paramref name="slot"/> of <paramref name="bucket"/> empty and propagates emptyRest backwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DeleteSlot(byte* head, byte* bucket, int slot)
    {
        bucket[slot] = TopHash.EmptyOne;
        if (slot != BucketLayout<TKey, TValue>.SlotCount - 1 && bucket[slot + 1] != TopHash.EmptyRest)
        {
            return; // the common case, inline: a later slot of this bucket is in use or emptyOne
        }

        PropagateEmptyRest(head, bucket, slot);
    }

    /// <summary>The rest of <see cref="DeleteSlot"/>: turns the trailing emptyOne run into emptyRest.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PropagateEmptyRest(byte* head, byte* bucket, int slot)
    {
        if (slot == BucketLayout<TKey, TValue>.SlotCount - 1)
        {
            byte* next = BucketLayout<TKey, TValue>.Overflow(bucket);
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
                while (BucketLayout<TKey, TValue>.Overflow(previous) != b)
                {
                    previous = BucketLayout<TKey, TValue>.Overflow(previous);
                }

                b = previous;
                i = BucketLayout<TKey, TValue>.SlotCount - 1;
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
