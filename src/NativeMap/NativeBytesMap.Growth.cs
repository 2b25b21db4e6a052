using System.Numerics;
using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Growth, shrinking and evacuation of NativeBytesMap: NativeMap's mechanism (read the top of NativeMap.Growth.cs), with
 * one simplification. Units, _nevacuate, the 2-per-write (growth) and 8-per-write (shrink) evacuation rates, freeing
 * each old chain's overflow buckets as its unit is done and the old array when the last unit is: all the same.
 *
 * The simplification: a slot's destination is its hash word's bit _oldB, which the bucket holds, so evacuation reads
 * buckets only (never an entry block) and runs no user code. Its one failure is allocating the overflow buckets a
 * destination chain needs, which happens before any slot moves (Reserve): an exception leaves the unit unevacuated
 * and at most some empty overflow buckets linked, which are harmless and counted.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>Units skipped per step when <see cref="_nevacuate"/> passes units writes evacuated out of order.</summary>
    private const int MaxEvacuationMarkScan = 1024;

    /// <summary>Units a write evacuates in order during growth, besides the one it touches (NativeMap measured 2).</summary>
    private const int GrowthUnitsPerWrite = 2;

    /// <summary>The same for a shrink (NativeMap measured 8).</summary>
    private const int ShrinkUnitsPerWrite = 8;

    /// <summary>Whether a growth or shrink is in progress (for tests).</summary>
    internal bool IsEvacuating => _oldBuckets != null;

    /// <summary>Whether the resize in progress is a shrink (for tests).</summary>
    internal bool IsShrinking => _oldBuckets != null && _oldB > _b;

    /// <summary>log2 of the bucket count (for tests).</summary>
    internal int BucketShift => _b;

    /// <summary>Resizes started so far (for tests).</summary>
    internal int ResizeCount => _resizeCount;

    /// <summary>Number of evacuation units of the resize in progress.</summary>
    private nuint EvacuationUnits => (nuint)1 << Math.Min(_b, _oldB);

    private byte* AllocateArray(int b) => (byte*)_heap.AllocateZeroed(BytesBucket.ArrayBytes(b));

    [MethodImpl(MethodImplOptions.NoInlining)] // once per map (and after Clear)
    private void AllocateFirstArray()
    {
        _buckets = AllocateArray(_b);
        _noverflow = 0;
        _layoutEpoch++;
    }

    /// <summary>Allocates an empty overflow bucket and links it after <paramref name="last"/>. The caller counts it.</summary>
    private byte* NewOverflowBucket(byte* last)
    {
        // Not zeroed: only the tophash bytes (all emptyRest) and the overflow pointer need initialising.
        byte* bucket = (byte*)_heap.Allocate(BytesBucket.Size);
        *(ulong*)bucket = 0;
        BytesBucket.SetOverflow(bucket, null);
        BytesBucket.SetOverflow(last, bucket);
        return bucket;
    }

    /// <summary>Starts a growth (<paramref name="newB"/> = _b + 1), same-size growth or shrink (_b - 1). No slot moves.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // rare: once per doubling
    private void StartGrowth(int newB)
    {
        byte* array = AllocateArray(newB);

        // A larger array ends enumerations even if the insert that started it then fails.
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
            // Shrinking is an optimisation: the remove that asked for it still succeeds; a later remove tries again.
        }
    }

    /// <summary>Evacuates the unit feeding new bucket <paramref name="index"/>, then units from <see cref="_nevacuate"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // only while a resize is in progress
    private void GrowWork(nuint index)
    {
        if (_oldB > _b)
        {
            EvacuateShrinkUnit(index);
            for (int i = 0; i < ShrinkUnitsPerWrite && _oldBuckets != null; i++)
            {
                EvacuateShrinkUnit(_nevacuate);
            }
        }
        else
        {
            EvacuateGrowthUnit(index & BucketMask(_oldB));
            for (int i = 0; i < GrowthUnitsPerWrite && _oldBuckets != null; i++)
            {
                EvacuateGrowthUnit(_nevacuate);
            }
        }
    }

    /// <summary>Evacuates every remaining unit (for rebuilds, compaction and tests).</summary>
    internal void EvacuateAll()
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

    /// <summary>Growth or same-size growth: moves old bucket <paramref name="unit"/>'s chain to new buckets X (and Y).</summary>
    private void EvacuateGrowthUnit(nuint unit)
    {
        byte* head = BytesBucket.At(_oldBuckets, unit);
        if (!TopHash.IsEvacuated(head))
        {
            bool split = _b > _oldB;
            uint highBit = split ? 1u << _oldB : 0;
            byte* x = BytesBucket.At(_buckets, unit);
            byte* y = split ? BytesBucket.At(_buckets, unit + highBit) : null;
            TopHash.PrefetchRest(head, BytesBucket.Size);
            TopHash.PrefetchAll(x, BytesBucket.Size);
            if (split)
            {
                TopHash.PrefetchAll(y, BytesBucket.Size);
            }

            // A one-bucket chain has at most 8 entries, which the empty destination heads hold without reserving.
            if (BytesBucket.Overflow(head) != null)
            {
                int live = 0;
                int liveY = 0;
                for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
                {
                    for (ulong full = TopHash.MatchFull(TopHash.Load(b)); full != 0; full &= full - 1)
                    {
                        live++;
                        liveY += (*BytesBucket.Hash(b, TopHash.FirstSlot(full)) & highBit) != 0 ? 1 : 0;
                    }
                }

                Reserve(x, live - liveY);
                if (split)
                {
                    Reserve(y, liveY);
                }
            }

            int xi = 0;
            int yi = 0;
            for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
            {
                for (int i = 0; i < BytesBucket.SlotCount; i++)
                {
                    if (b[i] < TopHash.MinTopHash)
                    {
                        b[i] = TopHash.EvacuatedEmpty;
                    }
                    else if ((*BytesBucket.Hash(b, i) & highBit) != 0)
                    {
                        Append(b, i, ref y, ref yi);
                        b[i] = TopHash.EvacuatedY;
                    }
                    else
                    {
                        Append(b, i, ref x, ref xi);
                        b[i] = TopHash.EvacuatedX;
                    }
                }
            }

            FreeOldOverflow(head);
            _layoutEpoch++;
        }

        if (unit == _nevacuate)
        {
            AdvanceEvacuationMark();
        }
    }

    /// <summary>Shrink: moves old buckets <paramref name="unit"/> and <paramref name="unit"/> + 2^_b into new bucket <paramref name="unit"/>.</summary>
    private void EvacuateShrinkUnit(nuint unit)
    {
        byte* low = BytesBucket.At(_oldBuckets, unit);
        if (!TopHash.IsEvacuated(low))
        {
            byte* high = BytesBucket.At(_oldBuckets, unit + ((nuint)1 << _b));
            byte* x = BytesBucket.At(_buckets, unit);
            TopHash.PrefetchRest(low, BytesBucket.Size);
            TopHash.PrefetchAll(high, BytesBucket.Size);
            TopHash.PrefetchAll(x, BytesBucket.Size);
            if (BytesBucket.Overflow(low) != null || BytesBucket.Overflow(high) != null
                || BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(low)) | (TopHash.MatchFull(TopHash.Load(high)) >> 1)) > BytesBucket.SlotCount)
            {
                Reserve(x, CountLive(low) + CountLive(high));
            }

            int xi = 0;
            MoveChain(low, ref x, ref xi);
            MoveChain(high, ref x, ref xi);
            FreeOldOverflow(low);
            FreeOldOverflow(high);
            _layoutEpoch++;
        }

        if (unit == _nevacuate)
        {
            AdvanceEvacuationMark();
        }
    }

    /// <summary>Moves a whole old chain to the destination cursor, marking it evacuated.</summary>
    private static void MoveChain(byte* head, ref byte* x, ref int xi)
    {
        for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
        {
            for (int i = 0; i < BytesBucket.SlotCount; i++)
            {
                if (b[i] < TopHash.MinTopHash)
                {
                    b[i] = TopHash.EvacuatedEmpty;
                    continue;
                }

                Append(b, i, ref x, ref xi);
                b[i] = TopHash.EvacuatedX;
            }
        }
    }

    /// <summary>Copies a slot to the destination cursor, stepping into the next (reserved) bucket when the current one is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Append(byte* from, int fromSlot, ref byte* to, ref int toSlot)
    {
        if (toSlot == BytesBucket.SlotCount)
        {
            to = BytesBucket.Overflow(to);
            toSlot = 0;
        }

        BytesBucket.MoveSlot(from, fromSlot, to, toSlot++);
    }

    private static int CountLive(byte* head)
    {
        int live = 0;
        for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
        {
            live += BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(b)));
        }

        return live;
    }

    /// <summary>Makes the (empty) chain at <paramref name="head"/> long enough for <paramref name="entries"/> entries.</summary>
    private void Reserve(byte* head, int entries)
    {
        int needed = Math.Max(1, (entries + BytesBucket.SlotCount - 1) / BytesBucket.SlotCount);
        byte* last = head;
        int have = 1;
        while (BytesBucket.Overflow(last) != null)
        {
            last = BytesBucket.Overflow(last);
            have++;
        }

        for (; have < needed; have++)
        {
            last = NewOverflowBucket(last);
            _noverflow++;
        }
    }

    /// <summary>Frees the overflow buckets of an evacuated old chain; its head stays in the old array with its marks.</summary>
    private void FreeOldOverflow(byte* head)
    {
        byte* b = BytesBucket.Overflow(head);
        BytesBucket.SetOverflow(head, null);
        while (b != null)
        {
            byte* next = BytesBucket.Overflow(b);
            _heap.Free(b);
            _oldNoverflow--;
            b = next;
        }
    }

    private void AdvanceEvacuationMark()
    {
        nuint units = EvacuationUnits;
        _nevacuate++;
        nuint stop = Math.Min(_nevacuate + MaxEvacuationMarkScan, units);
        while (_nevacuate < stop && TopHash.IsEvacuated(BytesBucket.At(_oldBuckets, _nevacuate)))
        {
            _nevacuate++;
        }

        if (_nevacuate == units)
        {
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

        Reseed();
        _layoutEpoch++;
    }

    private void Reseed()
    {
        if (!_fixedSeed)
        {
            _seed = DrawSeed(_seedSource);
        }
    }

    private static long DrawSeed(Random? source) => (source ?? Random.Shared).NextInt64(long.MinValue, long.MaxValue);

    /// <summary>Frees every entry, chain and array, and returns the map to its state before the first insert.</summary>
    private void ClearCore()
    {
        FreeAllMemory();
        ResetToEmpty();
        Reseed();
    }

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
        _keyBytes = 0;
        _valueBytes = 0;
        _entryBlockBytes = 0;
        _volatileCount = 0;
        _layoutEpoch++;
        _entryEpoch++;
    }

    private void EnsureCapacityCore(int capacity)
    {
        int needB = BucketShiftFor(capacity);
        _minB = Math.Max(_minB, needB);
        if (_buckets == null)
        {
            _b = Math.Max(_b, needB);
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

    /// <summary>Copies every slot into a fresh array of 2^<paramref name="newB"/> buckets, then frees the old arrays.</summary>
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
                    byte* head = BytesBucket.At(_oldBuckets, u);
                    if (!TopHash.IsEvacuated(head))
                    {
                        CopyChainInto(head, array, newB, ref noverflow);
                    }
                }
            }

            nuint count = (nuint)1 << _b;
            for (nuint j = 0; j < count; j++)
            {
                CopyChainInto(BytesBucket.At(_buckets, j), array, newB, ref noverflow);
            }
        }
        catch
        {
            FreeArrayWithChains(array, newB);
            throw;
        }

        FreeChainsAndArrays();
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
        for (byte* b = head; b != null; b = BytesBucket.Overflow(b))
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(b)); full != 0; full &= full - 1)
            {
                int i = TopHash.FirstSlot(full);
                byte* d = BytesBucket.At(array, *BytesBucket.Hash(b, i) & BucketMask(newB));

                // Append-only: the first empty slot of the chain is its first emptyRest.
                ulong empty;
                while ((empty = TopHash.MatchEmpty(TopHash.Load(d))) == 0)
                {
                    byte* next = BytesBucket.Overflow(d);
                    if (next == null)
                    {
                        next = NewOverflowBucket(d);
                        noverflow++;
                    }

                    d = next;
                }

                BytesBucket.MoveSlot(b, i, d, TopHash.FirstSlot(empty));
            }
        }
    }

    /// <summary>Frees every entry block, then every chain and array. Leaves the fields for the caller to reset.</summary>
    private void FreeAllMemory()
    {
        if (_oldBuckets != null)
        {
            FreeEntries(_oldBuckets, _oldB);
        }

        if (_buckets != null)
        {
            FreeEntries(_buckets, _b);
        }

        FreeChainsAndArrays();
    }

    /// <summary>Frees the entry blocks of every full slot of an array's live chains.</summary>
    private void FreeEntries(byte* array, int b)
    {
        nuint count = (nuint)1 << b;
        for (nuint j = 0; j < count; j++)
        {
            byte* head = BytesBucket.At(array, j);
            if (TopHash.IsEvacuated(head))
            {
                continue; // an old chain already moved: its marks are not entries (MatchFull would count them)
            }

            for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
            {
                for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
                {
                    _heap.Free(BytesBucket.Entry(bucket, TopHash.FirstSlot(full)));
                }
            }
        }
    }

    private void FreeChainsAndArrays()
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
            byte* overflow = BytesBucket.Overflow(BytesBucket.At(array, j));
            while (overflow != null)
            {
                byte* next = BytesBucket.Overflow(overflow);
                _heap.Free(overflow);
                overflow = next;
            }
        }

        _heap.Free(array);
    }
}
