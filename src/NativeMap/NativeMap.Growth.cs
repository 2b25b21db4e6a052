using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Growth, shrinking and evacuation.
 *
 * Three kinds of resize share one mechanism (_oldBuckets, _oldB, _nevacuate):
 *   growth      _oldB = _b - 1. Unit = old bucket u; its entries split by hash bit _oldB into new buckets u (X) and
 *               u + 2^_oldB (Y). The old slots are marked evacuatedX / evacuatedY / evacuatedEmpty.
 *   same-size   _oldB = _b. Unit = old bucket u, all of it to new bucket u (X). Compacts chains that churn left long.
 *   shrink      _oldB = _b + 1. Unit = new bucket j, fed by old buckets j and j + 2^_b, evacuated together (old j's
 *               chain first) and marked evacuatedX. Evacuating the pair together keeps "is the unit done?" a question
 *               about one head (old j), for lookups, writers and the enumerator alike.
 *
 * Every write evacuates the next units in order from _nevacuate (2 during growth, 8 during a shrink: measured, see
 * GrowthUnitsPerWrite), and nothing else: units are evacuated strictly in order, so "is unit u evacuated?" is
 * u < _nevacuate (IsEvacuatedOld), answered without reading the old array. A write (insert, overwrite, delete) whose
 * key's unit is not evacuated yet works in the old chain; the unit's evacuation moves whatever the chain then holds. Go
 * instead evacuates the unit a write touches first, which costs three random cache misses (old bucket, X, Y) on a
 * third or more of the writes during a growth; in order, the old array is read and the new one written as streams.
 * When _nevacuate reaches the unit count, the old array is freed.
 *
 * Evacuating a unit, in three phases so that an exception cannot leave it half-moved:
 *   1. count the live entries and, for growth, compute each one's destination (this hashes, which may run a user's
 *      comparer: nothing has changed yet if it throws);
 *   2. give the destination chains the overflow buckets they will need (an allocation failure leaves only empty
 *      overflow buckets behind, which are harmless and counted);
 *   3. move the entries in chain order, mark every old slot, free the old chain's overflow buckets (only the head stays,
 *      for its marks), bump _layoutEpoch.
 * Destination buckets are empty before their unit is evacuated: writes to keys of an unevacuated unit go to its old
 * chain (NativeMap.HeadFor), so nothing is written to a new bucket before the unit that feeds it is evacuated.
 *
 * Page faults. A new array comes from the heap zeroed and, when its pages are fresh, not resident: each page's first
 * touch is a fault in which the kernel zeroes it (a 2 MiB one on a huge-page span). Evacuating in order writes the new
 * array as two streams (X from the start, Y from the middle), so its faults are spread evenly over the growth, a few
 * per write batch, with nothing to prepare. (An earlier version faulted the next array in ahead of the growth, during
 * the last 1/16 of the cycle, which Go-style evacuation needed; with in-order evacuation it only bunched the faults:
 * growing to 10 M longs with huge pages, its slowest 4,096-insert batches took 50-73 ms with ~24 huge-page faults
 * each, against 18-25 ms for the slowest evacuation batches without it, and 64 against 21 ms in the side-by-side
 * program, one run each. Removed.)
 *
 * EvacuationCodegen. The evacuation methods run only while a resize is in progress, so a map that grows once (a bulk
 * load, a benchmark of inserts from empty) would run them at tier 0 for much of its first growths: profiling a growth
 * to 10 M showed GrowWork, EvacuateGrowthUnit and EvacuateBucket as QuickJitted. They are compiled fully optimised
 * from the start (AggressiveOptimization), which forgoes dynamic PGO for these loops.
 *
 * Why old overflow buckets can be freed per unit (Go keeps them until the whole array goes, because its iterators hold
 * bucket pointers): our enumerator holds no pointer across a change of _layoutEpoch.
 *
 * Rebuild (TrimExcess, EnsureCapacity) is the one non-incremental path: it copies every entry into a fresh array of
 * the requested size, and only then frees the old memory; on an exception it frees the new array and the map is
 * unchanged. The caller asked for a resize now, so it pays for it now.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>
    /// Units a write evacuates (in order, from _nevacuate) during growth (Go: 1, plus the unit the write touches).
    /// Measured when writes also evacuated the unit they touched (ns per insert / slowest batch of 4,096, random longs
    /// into an empty map, warm heap): 1: 90 / 4.6 ms at 1 M, 143 / 7.2 ms at 10 M; 2: 79 / 4.6 ms, 137 / 7.6 ms; 8: 77 /
    /// 9.8 ms, 126 / 11.1 ms. In order only (10 M ulong, fresh process, median of 3): 2: 270 ns / 14.6 ms; 4: 270 / 18.6;
    /// 8: 261 / 35.0. Insert time is flat in this range; the slowest batch grows with the units per write, so 2.
    /// In order only against the old rule (both at 2, 10 M, warm heap, 4 alternating runs): 176-240 against 196-208 ns
    /// per insert: no difference this VM resolves; kept for what it enables (the index test, streams).
    /// </summary>
    private const int GrowthUnitsPerWrite = 2;

    /// <summary>
    /// The same for a shrink, which removes drive. Measured, removing 1 M random longs in random order from a full map
    /// (ns per remove): 1: 81, 2: 72, 4: 66, 8: 60, and 55 with shrinking switched off. A shrink unit is two old buckets
    /// and one new one, all streamed, so eight per remove still bound a remove's work to about a microsecond.
    /// </summary>
    private const int ShrinkUnitsPerWrite = 8;

    /// <summary>Chains up to this many entries keep their growth destinations in a stack buffer during evacuation.</summary>
    private const int StackDestinationBits = 512;

    /// <summary>Whether a growth or shrink is in progress (for tests).</summary>
    internal bool IsEvacuating => _oldBuckets != null;

    /// <summary>Whether the resize in progress is a shrink (for tests).</summary>
    internal bool IsShrinking => _oldBuckets != null && _oldB > _b;

    /// <summary>log2 of the bucket count (for tests).</summary>
    internal int BucketShift => _b;

    /// <summary>Resizes started so far (for tests).</summary>
    internal int ResizeCount => _resizeCount;

    /// <summary>The hash seed (for tests).</summary>
    internal HashSeed Seed => _seed;

    /// <summary>Number of evacuation units of the resize in progress.</summary>
    private nuint EvacuationUnits => (nuint)1 << Math.Min(_b, _oldB);

    private byte* AllocateArray(int b) => (byte*)_heap.AllocateZeroed(BucketLayout<TKey, TValue>.ArrayBytes(b));

    [MethodImpl(MethodImplOptions.NoInlining)] // once per map (and after Clear): keep it out of the insert path
    private void AllocateFirstArray()
    {
        ThrowIfDisposed();
        _buckets = AllocateArray(_b);
        _noverflow = 0;
        _layoutEpoch++;
    }

    /// <summary>Allocates an empty overflow bucket and links it after <paramref name="last"/>. The caller counts it.</summary>
    private byte* NewOverflowBucket(byte* last)
    {
        // Not zeroed: only the tophash (all emptyRest) and the overflow pointer need initialising.
        byte* bucket = (byte*)_heap.Allocate((nuint)BucketLayout<TKey, TValue>.BucketSize);
        *(ulong*)bucket = 0;
        BucketLayout<TKey, TValue>.SetOverflow(bucket, null);
        BucketLayout<TKey, TValue>.SetOverflow(last, bucket);
        return bucket;
    }

    /// <summary>Starts a growth (<paramref name="newB"/> = _b + 1), same-size growth or shrink (_b - 1). No entry moves.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // rare: once per doubling
    private void StartGrowth(int newB)
    {
        byte* array = AllocateArray(newB);

        // A larger array ends enumerations even if the insert that started it then fails (a comparer throwing during
        // evacuation, an allocation failing): enumerators rely on the array never outgrowing the one they started on.
        if (newB > _b)
        {
            _version++;
        }

        _oldBuckets = _buckets;
        _oldB = _b;
        _oldNoverflow = _noverflow;
        _buckets = array;
        _b = newB;
        _noverflow = 0;
        _nevacuate = 0;
        _resizeCount++;
        _layoutEpoch++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // rare: once per halving
    private void TryStartShrink()
    {
        try
        {
            StartGrowth(_b - 1);
        }
        catch (OutOfMemoryException)
        {
            // Shrinking is an optimisation: a heap that cannot supply the smaller array leaves the map at its size, and
            // the remove that asked for it still succeeds. A later remove tries again.
        }
    }

    /// <summary>A write's share of the resize in progress: the next units in order from <see cref="_nevacuate"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void GrowWork()
    {
        int units = _oldB > _b ? ShrinkUnitsPerWrite : GrowthUnitsPerWrite;
        for (int i = 0; i < units && _oldBuckets != null; i++)
        {
            if (_oldB > _b)
            {
                EvacuateShrinkUnit(_nevacuate);
            }
            else
            {
                EvacuateGrowthUnit(_nevacuate);
            }
        }
    }

    /// <summary>Evacuates every remaining unit, as one write (for tests and benchmarks).</summary>
    internal void EvacuateAll()
    {
        BeginWrite();
        try
        {
            while (_oldBuckets != null)
            {
                if (_oldB > _b)
                {
                    EvacuateShrinkUnit(_nevacuate);
                }
                else
                {
                    EvacuateGrowthUnit(_nevacuate);
                }
            }
        }
        finally
        {
            EndWrite(); // the inline paths may run again once the resize is over
        }
    }

    /// <summary>
    /// Whether old bucket <paramref name="oldIndex"/> has been evacuated. Units are evacuated strictly in order, so this
    /// is an index test: no read of the old array (which may be far from the caches, and whose evacuated part need not be
    /// read again). For a shrink the unit of old bucket o is o mod 2^_b.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsEvacuatedOld(nuint oldIndex) => (_oldB > _b ? oldIndex & BucketMask(_b) : oldIndex) < _nevacuate;

    /// <summary>Growth or same-size growth: moves old bucket <paramref name="unit"/>'s chain to new buckets X (and Y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void EvacuateGrowthUnit(nuint unit)
    {
        Debug.Assert(unit == _nevacuate, "units are evacuated in order");
        byte* head = BucketLayout<TKey, TValue>.At(_oldBuckets, unit);
        bool split = _b > _oldB;
        nuint highBit = (nuint)1 << _oldB;
        byte* x = BucketLayout<TKey, TValue>.At(_buckets, unit);
        byte* y = split ? BucketLayout<TKey, TValue>.At(_buckets, unit + highBit) : null;

        // Three buckets in three places (old, X, Y): ask for all their lines at once rather than one miss at a time.
        TopHash.PrefetchRest(head, BucketLayout<TKey, TValue>.BucketSize);
        TopHash.PrefetchAll(x, BucketLayout<TKey, TValue>.BucketSize);
        if (split)
        {
            TopHash.PrefetchAll(y, BucketLayout<TKey, TValue>.BucketSize);
        }

        if (BucketLayout<TKey, TValue>.Overflow(head) == null)
        {
            EvacuateBucket(head, x, y, highBit);
        }
        else
        {
            EvacuateChain(head, x, y, highBit);
        }

        _layoutEpoch++;

        AdvanceEvacuationMark();
    }

    /// <summary>
    /// The common case of <see cref="EvacuateGrowthUnit"/>: an old chain of one bucket. At most 8 entries, so the empty
    /// destination heads hold them without counting or reserving; the destinations (a byte of bits) are computed
    /// before anything moves, because hashing may run a user's comparer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void EvacuateBucket(byte* head, byte* x, byte* y, nuint highBit)
    {
        uint toY = 0;
        if (y != null)
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(head)); full != 0; full &= full - 1)
            {
                int i = TopHash.FirstSlot(full);
                if (((nuint)Hash(*BucketLayout<TKey, TValue>.Key(head, i)) & highBit) != 0)
                {
                    toY |= 1u << i;
                }
            }
        }

        int xi = 0;
        int yi = 0;
        for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
        {
            byte top = head[i];
            if (top < TopHash.MinTopHash)
            {
                head[i] = TopHash.EvacuatedEmpty;
            }
            else if ((toY & (1u << i)) != 0)
            {
                MoveSlot(head, i, y, yi++, top);
                head[i] = TopHash.EvacuatedY;
            }
            else
            {
                MoveSlot(head, i, x, xi++, top);
                head[i] = TopHash.EvacuatedX;
            }
        }
    }

    /// <summary><see cref="EvacuateGrowthUnit"/> for an old chain with overflow buckets: count, hash, reserve, then move.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void EvacuateChain(byte* head, byte* x, byte* y, nuint highBit)
    {
        bool split = y != null;
        int live = CountLive(head);

        // Phase 1: destinations. Bit k set = the k-th live entry goes to Y.
        Span<ulong> toY = live <= StackDestinationBits ? stackalloc ulong[StackDestinationBits / 64] : new ulong[(live + 63) / 64];
        int liveY = 0;
        if (split)
        {
            toY.Clear();
            int k = 0;
            for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
            {
                for (ulong full = TopHash.MatchFull(TopHash.Load(b)); full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    if (((nuint)Hash(*BucketLayout<TKey, TValue>.Key(b, i)) & highBit) != 0)
                    {
                        toY[k >> 6] |= 1UL << (k & 63);
                        liveY++;
                    }

                    k++;
                }
            }
        }

        // Phase 2: room in the destinations.
        Reserve(x, live - liveY);
        if (split)
        {
            Reserve(y, liveY);
        }

        // Phase 3: move, mark, free.
        int xi = 0;
        if (split)
        {
            int yi = 0;
            int entry = 0;
            for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
            {
                for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
                {
                    byte top = b[i];
                    if (top < TopHash.MinTopHash)
                    {
                        b[i] = TopHash.EvacuatedEmpty;
                    }
                    else if (((toY[entry >> 6] >> (entry++ & 63)) & 1) != 0)
                    {
                        Append(b, i, top, ref y, ref yi);
                        b[i] = TopHash.EvacuatedY;
                    }
                    else
                    {
                        Append(b, i, top, ref x, ref xi);
                        b[i] = TopHash.EvacuatedX;
                    }
                }
            }
        }
        else
        {
            MoveChain(head, ref x, ref xi);
        }

        FreeOldOverflow(head);
    }

    /// <summary>Shrink: moves old buckets <paramref name="unit"/> and <paramref name="unit"/> + 2^_b into new bucket <paramref name="unit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void EvacuateShrinkUnit(nuint unit)
    {
        Debug.Assert(unit == _nevacuate, "units are evacuated in order");
        byte* low = BucketLayout<TKey, TValue>.At(_oldBuckets, unit);
        byte* high = BucketLayout<TKey, TValue>.At(_oldBuckets, unit + ((nuint)1 << _b));
        byte* x = BucketLayout<TKey, TValue>.At(_buckets, unit);
        TopHash.PrefetchRest(low, BucketLayout<TKey, TValue>.BucketSize);
        TopHash.PrefetchAll(high, BucketLayout<TKey, TValue>.BucketSize);
        TopHash.PrefetchAll(x, BucketLayout<TKey, TValue>.BucketSize);

        // Two one-bucket chains with at most 8 entries between them (the common case at shrink load) fit in the
        // empty destination head without counting or reserving.
        if (BucketLayout<TKey, TValue>.Overflow(low) != null || BucketLayout<TKey, TValue>.Overflow(high) != null
            || BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(low)) | (TopHash.MatchFull(TopHash.Load(high)) >> 1)) > BucketLayout<TKey, TValue>.SlotCount)
        {
            Reserve(x, CountLive(low) + CountLive(high));
        }

        int xi = 0;
        MoveChain(low, ref x, ref xi);
        MoveChain(high, ref x, ref xi);
        FreeOldOverflow(low);
        FreeOldOverflow(high);
        _layoutEpoch++;

        AdvanceEvacuationMark();
    }

    /// <summary>Moves a whole old chain to the destination cursor (<paramref name="x"/>, <paramref name="xi"/>), marking it evacuated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private static void MoveChain(byte* head, ref byte* x, ref int xi)
    {
        for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
        {
            for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
            {
                byte top = b[i];
                if (top < TopHash.MinTopHash)
                {
                    b[i] = TopHash.EvacuatedEmpty;
                    continue;
                }

                Append(b, i, top, ref x, ref xi);
                b[i] = TopHash.EvacuatedX;
            }
        }
    }

    /// <summary>Copies a slot to the destination cursor (<paramref name="to"/>, <paramref name="toSlot"/>), stepping into the
    /// next (reserved) bucket of the destination chain when the current one is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Append(byte* from, int fromSlot, byte top, ref byte* to, ref int toSlot)
    {
        if (toSlot == BucketLayout<TKey, TValue>.SlotCount)
        {
            to = BucketLayout<TKey, TValue>.Overflow(to);
            toSlot = 0;
        }

        MoveSlot(from, fromSlot, to, toSlot++, top);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MoveSlot(byte* from, int fromSlot, byte* to, int toSlot, byte top)
    {
        to[toSlot] = top;

        // Byte for byte, padding included: the enumerator orders keys with equal hashes by their bytes, so a key's bytes
        // must not change when it moves (a struct assignment may copy field by field and leave the padding behind).
        if (BucketLayout<TKey, TValue>.Interleaved)
        {
            Unsafe.CopyBlockUnaligned(BucketLayout<TKey, TValue>.Key(to, toSlot), BucketLayout<TKey, TValue>.Key(from, fromSlot), (uint)BucketLayout<TKey, TValue>.KeyStride);
            return;
        }

        Unsafe.CopyBlockUnaligned(BucketLayout<TKey, TValue>.Key(to, toSlot), BucketLayout<TKey, TValue>.Key(from, fromSlot), (uint)sizeof(TKey));
        *BucketLayout<TKey, TValue>.Value(to, toSlot) = *BucketLayout<TKey, TValue>.Value(from, fromSlot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private static int CountLive(byte* head)
    {
        int live = 0;
        for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
        {
            live += BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(b)));
        }

        return live;
    }

    /// <summary>Makes the (empty) chain at <paramref name="head"/> long enough for <paramref name="entries"/> entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void Reserve(byte* head, int entries)
    {
        int needed = Math.Max(1, (entries + BucketLayout<TKey, TValue>.SlotCount - 1) / BucketLayout<TKey, TValue>.SlotCount);
        byte* last = head;
        int have = 1;
        while (BucketLayout<TKey, TValue>.Overflow(last) != null)
        {
            last = BucketLayout<TKey, TValue>.Overflow(last);
            have++;
        }

        for (; have < needed; have++)
        {
            last = NewOverflowBucket(last);
            _noverflow++;
        }
    }

    /// <summary>Frees the overflow buckets of an evacuated old chain; its head stays in the old array with its marks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void FreeOldOverflow(byte* head)
    {
        byte* b = BucketLayout<TKey, TValue>.Overflow(head);
        BucketLayout<TKey, TValue>.SetOverflow(head, null);
        while (b != null)
        {
            byte* next = BucketLayout<TKey, TValue>.Overflow(b);
            _heap.Free(b);
            _oldNoverflow--;
            b = next;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see EvacuationCodegen
    private void AdvanceEvacuationMark()
    {
        if (++_nevacuate == EvacuationUnits)
        {
            // Done: every old overflow bucket was freed with its chain; the array goes back to the heap now.
            _heap.Free(_oldBuckets);
            _oldBuckets = null;
            _oldB = 0;
            _oldNoverflow = 0;
            _nevacuate = 0;
            _layoutEpoch++;
        }
    }

    /// <summary>The last entry was removed: drop the old array, cut back to the capacity floor, draw a new seed.</summary>
    private void OnEmptied()
    {
        if (_oldBuckets != null)
        {
            FreeArrayWithChains(_oldBuckets, _oldB);
            _oldBuckets = null;
            _oldB = 0;
            _oldNoverflow = 0;
            _nevacuate = 0;
        }

        if (_b > _minB)
        {
            FreeArrayWithChains(_buckets, _b);
            _buckets = null;
            _b = _minB;
            _noverflow = 0;
        }

        _seed = HashSeed.Draw(_seedSource);
        _layoutEpoch++;
    }

    private void ClearCore()
    {
        FreeAllMemory();
        ResetToEmpty();
        _seed = HashSeed.Draw(_seedSource);
    }

    /// <summary>Forgets every array (already freed by the caller) and returns the map to its state before the first insert.</summary>
    private void ResetToEmpty()
    {
        _buckets = null;
        _oldBuckets = null;
        _b = _minB;
        _oldB = 0;
        _count = 0;
        _noverflow = 0;
        _oldNoverflow = 0;
        _nevacuate = 0;
        _fastBuckets = null;
        _layoutEpoch++;
    }

    private void EnsureCapacityCore(int capacity)
    {
        int needB = BucketShiftFor(capacity);
        _minB = Math.Max(_minB, needB);
        if (_buckets == null)
        {
            if (needB > _b)
            {
                _b = needB;
            }

            if (capacity > 0)
            {
                AllocateFirstArray();
            }
        }
        else if (needB > _b)
        {
            Rebuild(needB);
            _version++;
        }
    }

    private void TrimExcessCore()
    {
        _minB = 0;
        _version++;
        if (_count == 0)
        {
            ClearCore();
            return;
        }

        int fitB = BucketShiftFor(_count);
        if (_oldBuckets != null || fitB < _b)
        {
            Rebuild(fitB);
        }
    }

    /// <summary>Copies every entry into a fresh array of 2^<paramref name="newB"/> buckets, then frees the old memory.</summary>
    private void Rebuild(int newB)
    {
        byte* array = AllocateArray(newB);
        int noverflow = 0;
        try
        {
            if (_oldBuckets != null)
            {
                nuint oldCount = (nuint)1 << _oldB;
                for (nuint u = 0; u < oldCount; u++)
                {
                    if (!IsEvacuatedOld(u))
                    {
                        CopyChainInto(BucketLayout<TKey, TValue>.At(_oldBuckets, u), array, newB, ref noverflow);
                    }
                }
            }

            nuint count = (nuint)1 << _b;
            for (nuint j = 0; j < count; j++)
            {
                CopyChainInto(BucketLayout<TKey, TValue>.At(_buckets, j), array, newB, ref noverflow);
            }
        }
        catch
        {
            FreeArrayWithChains(array, newB);
            throw;
        }

        FreeAllMemory();
        _buckets = array;
        _b = newB;
        _noverflow = noverflow;
        _oldBuckets = null;
        _oldB = 0;
        _oldNoverflow = 0;
        _nevacuate = 0;
        _resizeCount++;
        _layoutEpoch++;
    }

    private void CopyChainInto(byte* head, byte* array, int newB, ref int noverflow)
    {
        for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(b)); full != 0; full &= full - 1)
            {
                int i = TopHash.FirstSlot(full);
                ulong hash = Hash(*BucketLayout<TKey, TValue>.Key(b, i));
                byte* d = BucketLayout<TKey, TValue>.At(array, (nuint)hash & BucketMask(newB));

                // Append-only: the first empty slot of the chain is its first emptyRest.
                ulong empty;
                while ((empty = TopHash.MatchEmpty(TopHash.Load(d))) == 0)
                {
                    byte* next = BucketLayout<TKey, TValue>.Overflow(d);
                    if (next == null)
                    {
                        next = NewOverflowBucket(d);
                        noverflow++;
                    }

                    d = next;
                }

                MoveSlot(b, i, d, TopHash.FirstSlot(empty), b[i]);
            }
        }
    }

    /// <summary>Frees every chain and array the map holds. Leaves the fields for the caller to reset.</summary>
    private void FreeAllMemory()
    {
        if (_oldBuckets != null)
        {
            FreeArrayWithChains(_oldBuckets, _oldB);
        }

        if (_buckets != null)
        {
            FreeArrayWithChains(_buckets, _b);
        }
    }

    /// <summary>Frees the overflow buckets of every chain of an array, then the array.</summary>
    private void FreeArrayWithChains(byte* array, int b)
    {
        nuint count = (nuint)1 << b;
        for (nuint j = 0; j < count; j++)
        {
            byte* overflow = BucketLayout<TKey, TValue>.Overflow(BucketLayout<TKey, TValue>.At(array, j));
            while (overflow != null)
            {
                byte* next = BucketLayout<TKey, TValue>.Overflow(overflow);
                _heap.Free(overflow);
                overflow = next;
            }
        }

        _heap.Free(array);
    }
}
