using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Executable invariants of NativeBytesMap. Validate() walks the whole map, every entry included (O(buckets + entries),
 * and asks the heap for each block's size): for tests and debugging; the map never calls it.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>Checks every invariant; throws <see cref="InvalidOperationException"/> naming the first one broken.</summary>
    internal void Validate()
    {
        Check(!_writing, "no-write-in-progress", "the writing flag is set outside a write");
        if (_disposed)
        {
            Check(_buckets == null && _oldBuckets == null && _count == 0, "disposed-is-empty", "a disposed map still holds memory");
            return;
        }

        Check(_b >= 0 && _b <= MaxBucketShift, "bucket-shift-range", $"B = {_b}");
        Check(_minB <= _b, "capacity-floor", $"B = {_b} is below the floor {_minB}");
        if (_buckets == null)
        {
            Check(_count == 0 && _oldBuckets == null && _noverflow == 0 && _oldNoverflow == 0, "null-array-is-empty",
                $"no array but count = {_count}, old array = {_oldBuckets != null}, overflow = {_noverflow}/{_oldNoverflow}");
            Check(_keyBytes == 0 && _valueBytes == 0 && _entryBlockBytes == 0 && _volatileCount == 0, "null-array-no-bytes", "no array but byte counts");
            return;
        }

        var totals = default(Totals);
        var seen = new List<(ulong Hash, nint Entry)>();
        int newOverflow = 0;
        int oldOverflow = 0;
        if (_oldBuckets != null)
        {
            Check(_oldB == _b - 1 || _oldB == _b || _oldB == _b + 1, "old-shift", $"B = {_b}, oldB = {_oldB}");
            Check(_nevacuate < EvacuationUnits, "nevacuate-range", $"nevacuate = {_nevacuate} of {EvacuationUnits} units");
            nuint oldCount = (nuint)1 << _oldB;
            for (nuint o = 0; o < oldCount; o++)
            {
                byte* head = BytesBucket.At(_oldBuckets, o);
                nuint unit = _oldB > _b ? o & BucketMask(_b) : o;
                bool evacuated = TopHash.IsEvacuated(head);
                Check(unit >= _nevacuate || evacuated, "evacuated-below-nevacuate", $"old bucket {o} is below nevacuate {_nevacuate} but not evacuated");
                if (_oldB > _b)
                {
                    Check(evacuated == TopHash.IsEvacuated(BytesBucket.At(_oldBuckets, o ^ ((nuint)1 << _b))),
                        "shrink-pairs-evacuated-together", $"old bucket {o} and its partner disagree");
                }

                if (evacuated)
                {
                    Check(BytesBucket.Overflow(head) == null, "evacuated-chain-freed", $"old bucket {o} is evacuated but keeps overflow buckets");
                    for (int i = 0; i < BytesBucket.SlotCount; i++)
                    {
                        Check(head[i] is TopHash.EvacuatedX or TopHash.EvacuatedY or TopHash.EvacuatedEmpty,
                            "evacuation-marks", $"old bucket {o} slot {i} has tophash {head[i]}");
                    }

                    continue;
                }

                oldOverflow += CheckChain(head, o, _oldB, seen, ref totals);

                // The new buckets this unit feeds must still be empty.
                if (_oldB < _b)
                {
                    CheckEmptyHead(o);
                    CheckEmptyHead(o + ((nuint)1 << _oldB));
                }
                else if (_oldB == _b || (o & ((nuint)1 << _b)) == 0)
                {
                    CheckEmptyHead(unit);
                }
            }
        }

        nuint count = (nuint)1 << _b;
        for (nuint j = 0; j < count; j++)
        {
            newOverflow += CheckChain(BytesBucket.At(_buckets, j), j, _b, seen, ref totals);
        }

        Check(totals.Count == _count, "count", $"{totals.Count} live slots, count says {_count}");
        Check(totals.KeyBytes == _keyBytes, "key-bytes", $"keys hold {totals.KeyBytes} bytes, KeyBytes says {_keyBytes}");
        Check(totals.ValueBytes == _valueBytes, "value-bytes", $"values hold {totals.ValueBytes} bytes, ValueBytes says {_valueBytes}");
        Check(totals.BlockBytes == _entryBlockBytes, "entry-block-bytes", $"entry blocks hold {totals.BlockBytes} bytes, the map says {_entryBlockBytes}");
        Check(totals.Volatile == _volatileCount, "volatile-count", $"{totals.Volatile} entries have an expiry, the map says {_volatileCount}");
        Check(newOverflow == _noverflow, "overflow-count", $"{newOverflow} overflow buckets, noverflow says {_noverflow}");
        Check(oldOverflow == _oldNoverflow, "old-overflow-count", $"{oldOverflow} old overflow buckets, oldNoverflow says {_oldNoverflow}");
        Check(_count <= CapacityOf(_b) || _oldBuckets != null || _b == MaxBucketShift, "load", $"{_count} entries in 2^{_b} buckets with no growth under way");
    }

    private struct Totals
    {
        public int Count;
        public long KeyBytes;
        public long ValueBytes;
        public long BlockBytes;
        public int Volatile;
    }

    /// <summary>Checks one live chain (bucket <paramref name="index"/> of an array of 2^<paramref name="b"/>); returns its overflow buckets.</summary>
    private int CheckChain(byte* head, nuint index, int b, List<(ulong Hash, nint Entry)> hashes, ref Totals totals)
    {
        int overflow = 0;
        bool restSeen = false;
        hashes.Clear();
        for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
        {
            if (bucket != head)
            {
                overflow++;
            }

            for (int i = 0; i < BytesBucket.SlotCount; i++)
            {
                byte top = bucket[i];
                if (restSeen)
                {
                    Check(top == TopHash.EmptyRest, "empty-rest-suffix", $"bucket {index} has tophash {top} after an emptyRest slot");
                    continue;
                }

                if (top == TopHash.EmptyRest)
                {
                    restSeen = true;
                    continue;
                }

                Check(top != TopHash.EvacuatedX && top != TopHash.EvacuatedY && top != TopHash.EvacuatedEmpty,
                    "no-marks-in-live-chains", $"bucket {index} slot {i} has evacuation mark {top}");
                if (top == TopHash.EmptyOne)
                {
                    continue;
                }

                nint word = *BytesBucket.Slot(bucket, i);
                byte* entry = BytesBucket.EntryOf(word);
                Check(entry != null && (word & BytesBucket.TagMask & ~BytesBucket.ExpiryTag) == 0, "entry-word", $"bucket {index} slot {i} holds {word:X}");
                int keyLength = BytesEntry.KeyLength(entry);
                int valueLength = BytesEntry.ValueLength(entry);
                Check(keyLength <= MaxLength && valueLength >= 0 && valueLength <= MaxLength, "entry-lengths",
                    $"bucket {index} slot {i}: key {keyLength}, value {valueLength} bytes");
                long block = BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(entry));
                Check((long)_heap.GetAllocatedSize(entry) == block, "entry-block-size",
                    $"bucket {index} slot {i}: the heap block is {_heap.GetAllocatedSize(entry)} bytes, the entry needs a {block}-byte block");
                ulong hash = Hash(BytesEntry.KeySpan(entry));
                Check(TopHash.Of(hash) == top && (uint)hash == *BytesBucket.Hash(bucket, i), "slot-hash",
                    $"bucket {index} slot {i}: tophash {top} / hash word {*BytesBucket.Hash(bucket, i):X8} but the key hashes to {hash:X16}");
                Check(((nuint)hash & BucketMask(b)) == index, "slot-bucket", $"a key hashing to {hash:X16} sits in bucket {index} of 2^{b}");
                int headerLength = BytesEntry.HeaderLengthOf(entry);
                Check(headerLength >= 0 && headerLength <= valueLength && ((BytesEntry.Flags(entry) & BytesEntry.HeaderFlag) == 0 || headerLength > 0),
                    "header-length", $"bucket {index} slot {i}: header {headerLength} of a {valueLength}-byte value");
                long expiry = BytesEntry.ExpiryOf(entry);
                Check(((word & BytesBucket.ExpiryTag) != 0) == (expiry != 0), "expiry-tag",
                    $"bucket {index} slot {i}: tag {word & BytesBucket.ExpiryTag}, expiry {expiry}");
                foreach ((ulong otherHash, nint otherEntry) in hashes)
                {
                    Check(otherHash != hash || !BytesEntry.KeySpan((byte*)otherEntry).SequenceEqual(BytesEntry.KeySpan(entry)),
                        "unique-keys", $"bucket {index} holds one key twice");
                }

                hashes.Add((hash, (nint)entry));
                totals.Count++;
                totals.KeyBytes += keyLength;
                totals.ValueBytes += valueLength;
                totals.BlockBytes += block;
                totals.Volatile += expiry != 0 ? 1 : 0;
            }
        }

        return overflow;
    }

    private void CheckEmptyHead(nuint j)
    {
        byte* head = BytesBucket.At(_buckets, j);
        for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
        {
            Check(TopHash.MatchFull(TopHash.Load(bucket)) == 0, "unevacuated-destinations-empty",
                $"new bucket {j} holds entries while the old unit feeding it is not evacuated");
        }
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string name, string detail)
    {
        if (!condition)
        {
            BytesThrowHelper.ThrowInvariant(name, detail);
        }
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string name, [InterpolatedStringHandlerArgument(nameof(condition))] ref CheckMessageHandler detail)
    {
        if (!condition)
        {
            BytesThrowHelper.ThrowInvariant(name, detail.ToStringAndClear());
        }
    }
}
