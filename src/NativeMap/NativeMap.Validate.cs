using System.Globalization;

namespace NativeMap;

/*
 * Executable invariants. Validate() walks the whole map (O(buckets + entries), allocates a HashSet): it is for tests
 * and debugging, never called by the map itself. Each check throws InvalidOperationException naming the invariant.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>Chain statistics of the current array (for tests of hash quality and flooding).</summary>
    internal readonly record struct ChainStatistics(int Buckets, int Entries, int OverflowBuckets, int LongestChainBuckets, int MostEntriesInOneChain);

    /// <summary>Checks every invariant of the map; throws <see cref="InvalidOperationException"/> naming the first one broken.</summary>
    internal void Validate()
    {
        if (!(!_writing))
        {
            Fail("no-write-in-progress", "the writing flag is set outside a write");
        }
        byte* expectedFast = _defaultHashing && _count != 0 && _oldBuckets == null ? _buckets : null;
        if (_defaultHashing != (_comparer is null ? KeyHashing<TKey>.Kind != KeyKind.Comparer
                : _comparer is BitwiseEqualityComparer<TKey> && KeyHashing<TKey>.Kind is KeyKind.Bitwise or KeyKind.Comparer))
        {
            Fail("default-hashing", "the default-hashing flag does not follow from the key kind and the comparer");
        }

        if (!(_fastBuckets == expectedFast))
        {
            Fail("fast-state", "the inline paths' array is not the array exactly when they may run");
        }
        if (!(_fastBuckets == null || (_fastMask == BucketMask(_b) && _growAt <= CapacityOf(_b) && _overflowLimit == 1 << _b)))
        {
            Fail("fast-thresholds", $"mask {_fastMask}, growAt {_growAt}, overflow limit {_overflowLimit} do not describe B = {_b}");
        }
        if (_disposed)
        {
            if (!(_buckets == null && _oldBuckets == null && _count == 0))
            {
                Fail("disposed-is-empty", "a disposed map still holds memory");
            }
            return;
        }

        if (!(_b >= 0 && _b <= MaxBucketShift))
        {
            Fail("bucket-shift-range", $"B = {_b}");
        }
        if (!(_minB <= _b))
        {
            Fail("capacity-floor", $"B = {_b} is below the floor {_minB}");
        }
        if (_buckets == null)
        {
            if (!(_count == 0))
            {
                Fail("null-array-is-empty", $"no array but count = {_count}");
            }
            if (!(_oldBuckets == null))
            {
                Fail("null-array-no-old", "no array but an old array");
            }
            if (!(_noverflow == 0 && _oldNoverflow == 0))
            {
                Fail("null-array-no-overflow", "no array but overflow counts");
            }
            return;
        }

        // Keys sit in the bucket their hash selects, and new buckets fed by unevacuated old ones are empty, so two copies
        // of a key could only share a chain: duplicates are looked for chain by chain (a HashSet would itself be
        // flooded by keys that collide under GetHashCode, which the map handles fine).
        var seen = new List<TKey>();
        int live = 0;
        int newOverflow = 0;
        int oldOverflow = 0;
        nuint newCount = (nuint)1 << _b;

        if (_oldBuckets != null)
        {
            if (!(_oldB == _b - 1 || _oldB == _b || _oldB == _b + 1))
            {
                Fail("old-shift", $"B = {_b}, oldB = {_oldB}");
            }
            nuint units = EvacuationUnits;
            if (!(_nevacuate < units))
            {
                Fail("nevacuate-range", $"nevacuate = {_nevacuate} of {units} units");
            }
            nuint oldCount = (nuint)1 << _oldB;
            for (nuint o = 0; o < oldCount; o++)
            {
                byte* head = BucketLayout<TKey, TValue>.At(_oldBuckets, o);
                nuint unit = _oldB > _b ? o & BucketMask(_b) : o;
                bool evacuated = TopHash.IsEvacuated(head);
                if (!(evacuated == (unit < _nevacuate) && evacuated == IsEvacuatedOld(o)))
                {
                    Fail("evacuated-exactly-below-nevacuate", $"old bucket {o} (unit {unit}, nevacuate {_nevacuate}) is {(evacuated ? "" : "not ")}evacuated: units are evacuated strictly in order");
                }

                if (_oldB > _b)
                {
                    byte* partner = BucketLayout<TKey, TValue>.At(_oldBuckets, o ^ ((nuint)1 << _b));
                    if (!(evacuated == TopHash.IsEvacuated(partner)))
                    {
                        Fail("shrink-pairs-evacuated-together", $"old buckets {o} and its partner disagree");
                    }
                }

                if (evacuated)
                {
                    if (!(BucketLayout<TKey, TValue>.Overflow(head) == null))
                    {
                        Fail("evacuated-chain-freed", $"old bucket {o} is evacuated but keeps overflow buckets");
                    }
                    for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
                    {
                        byte top = head[i];
                        if (!(top is TopHash.EvacuatedX or TopHash.EvacuatedY or TopHash.EvacuatedEmpty))
                        {
                            Fail("evacuation-marks", $"old bucket {o} slot {i} has tophash {top} in an evacuated bucket");
                        }
                        if (top != TopHash.EvacuatedEmpty)
                        {
                            // The key stays behind in the old slot: its mark must match where its hash sends it.
                            ulong hash = Hash(*BucketLayout<TKey, TValue>.Key(head, i));
                            bool toY = _b > _oldB && (hash & ((ulong)1 << _oldB)) != 0;
                            if (!(top == (toY ? TopHash.EvacuatedY : TopHash.EvacuatedX)))
                            {
                                Fail("evacuation-mark-matches-hash", $"old bucket {o} slot {i} is marked {top}");
                            }
                        }
                    }
                }
                else
                {
                    oldOverflow += ValidateChain(head, o, _oldB, seen, ref live, "old");

                    // New buckets fed by an unevacuated unit hold nothing yet (empty overflow buckets left by a failed
                    // allocation are allowed).
                    if (_oldB <= _b)
                    {
                        CheckEmptyChain(BucketLayout<TKey, TValue>.At(_buckets, o), o);
                        if (_b > _oldB)
                        {
                            CheckEmptyChain(BucketLayout<TKey, TValue>.At(_buckets, o + ((nuint)1 << _oldB)), o + ((nuint)1 << _oldB));
                        }
                    }
                    else
                    {
                        CheckEmptyChain(BucketLayout<TKey, TValue>.At(_buckets, unit), unit);
                    }
                }
            }
        }
        else
        {
            if (!(_oldNoverflow == 0))
            {
                Fail("old-overflow-count", $"no old array but oldNoverflow = {_oldNoverflow}");
            }
            if (!(_nevacuate == 0))
            {
                Fail("nevacuate-idle", $"no old array but nevacuate = {_nevacuate}");
            }
        }

        for (nuint j = 0; j < newCount; j++)
        {
            newOverflow += ValidateChain(BucketLayout<TKey, TValue>.At(_buckets, j), j, _b, seen, ref live, "new");
        }

        if (!(live == _count))
        {
            Fail("count", $"count = {_count} but {live} full slots");
        }
        if (!(newOverflow == _noverflow))
        {
            Fail("overflow-count", $"noverflow = {_noverflow} but {newOverflow} overflow buckets");
        }
        if (_oldBuckets != null)
        {
            if (!(oldOverflow == _oldNoverflow))
            {
                Fail("old-overflow-count", $"oldNoverflow = {_oldNoverflow} but {oldOverflow} overflow buckets");
            }
        }
    }

    /// <summary>Statistics of the chains of the current array.</summary>
    internal ChainStatistics GetChainStatistics()
    {
        if (_buckets == null)
        {
            return new ChainStatistics(0, 0, 0, 0, 0);
        }

        int entries = 0;
        int overflow = 0;
        int longest = 0;
        int most = 0;
        nuint count = (nuint)1 << _b;
        for (nuint j = 0; j < count; j++)
        {
            int chain = 0;
            int chainEntries = 0;
            for (byte* b = BucketLayout<TKey, TValue>.At(_buckets, j); b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
            {
                chain++;
                chainEntries += System.Numerics.BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(b)));
            }

            entries += chainEntries;
            overflow += chain - 1;
            longest = Math.Max(longest, chain);
            most = Math.Max(most, chainEntries);
        }

        return new ChainStatistics((int)count, entries, overflow, longest, most);
    }

    /// <summary>Checks one chain of an array of 2^<paramref name="b"/> buckets; returns its overflow bucket count.</summary>
    private int ValidateChain(byte* head, nuint index, int b, List<TKey> seen, ref int live, string array)
    {
        int overflow = 0;
        bool rest = false;
        seen.Clear();
        for (byte* bucket = head; bucket != null; bucket = BucketLayout<TKey, TValue>.Overflow(bucket))
        {
            if (bucket != head)
            {
                overflow++;
            }

            for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
            {
                byte top = bucket[i];
                if (rest)
                {
                    if (top != TopHash.EmptyRest)
                    {
                        Fail("empty-rest-is-a-suffix", $"{Where(array, index, overflow, i)} has tophash {top} after an emptyRest");
                    }

                    continue;
                }

                if (top == TopHash.EmptyRest)
                {
                    rest = true;
                    continue;
                }

                if (top == TopHash.EmptyOne)
                {
                    continue;
                }

                if (top < TopHash.MinTopHash)
                {
                    Fail("no-marks-in-live-chains", $"{Where(array, index, overflow, i)} has evacuation mark {top}");
                }

                TKey key = *BucketLayout<TKey, TValue>.Key(bucket, i);
                ulong hash = Hash(key);
                if (TopHash.Of(hash) != top)
                {
                    Fail("tophash-matches-key", $"{Where(array, index, overflow, i)}: tophash {top}, its key's is {TopHash.Of(hash)}");
                }

                if (((nuint)hash & BucketMask(b)) != index)
                {
                    Fail("key-in-its-bucket", $"{Where(array, index, overflow, i)}: key hashes to bucket {(nuint)hash & BucketMask(b)}");
                }

                foreach (TKey other in seen)
                {
                    if (KeysEqual(other, key))
                    {
                        Fail("no-duplicate-keys", $"{Where(array, index, overflow, i)}: key {key} appears twice");
                    }
                }

                seen.Add(key);

                live++;
            }
        }

        return overflow;
    }

    private static string Where(string array, nuint index, int chainBucket, int slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{array} bucket {index}, chain bucket {chainBucket}, slot {slot}");

    private static void Fail(string invariant, string detail) => ThrowHelper.ThrowInvariant(invariant, detail);

    private static void CheckEmptyChain(byte* head, nuint index)
    {
        for (byte* b = head; b != null; b = BucketLayout<TKey, TValue>.Overflow(b))
        {
            if (!(TopHash.Load(b) == 0))
            {
                Fail("unevacuated-destination-empty", $"new bucket {index} holds entries before its unit was evacuated");
            }
        }
    }
}
