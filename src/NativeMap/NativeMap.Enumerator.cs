using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeMap;

/*
 * Enumeration.
 *
 * Rules (as Dictionary's): Remove and value overwrites are allowed during enumeration; adding a key (and TrimExcess, and
 * an EnsureCapacity that resizes) bumps _version and the next MoveNext throws. Every entry present when the enumeration
 * starts and not removed before the enumerator reaches it is yielded exactly once, whatever growth, shrinking or
 * evacuation happens in between. Enumerators hold no pointer across writes and are not disposed reliably by users, so
 * the map must not depend on them: nothing in the map knows enumerators exist.
 *
 * The problem. Removes during enumeration do real work: they evacuate (moving entries between arrays, compacting
 * chains), start shrinks (halving the array, so two old buckets merge into one), finish resizes (freeing the old array),
 * and empty the map (new seed). Go's iterator survives growth because its old buckets stay readable until the GC frees
 * them; ours go back to the heap at once. Refusing to start a shrink while "an enumerator may be live" is not an option
 * either: an enumerator abandoned without Dispose would pin the map's size forever.
 *
 * The solution: an order that does not depend on the layout. Entries are enumerated in increasing order of
 * (reverse-bits(hash), key bytes). In an array of 2^B buckets, bucket j holds exactly the hashes whose low B bits are j,
 * i.e. whose reversed hash starts with reverse_B(j): every bucket is a contiguous range of this order, at every B. So
 * the enumerator visits buckets in reverse-bit order of their index (0, 2^(B-1), 2^(B-2), ...: a "reverse increment",
 * as Redis's SCAN does), and within a bucket yields entries sorted by that order. Its position is then just the last
 * entry it yielded, the cursor (hash, key): everything before the cursor was yielded, everything after was not. That
 * statement survives any relayout: growth splits a range, a shrink merges two, evacuation moves entries between arrays,
 * and none of it changes any entry's place in the order. Inserts would (a new key may land before the cursor), which
 * is why they invalidate; the seed changes only when the map is empty, when there is nothing left to yield.
 *
 * Mechanics. When the enumerator enters a bucket it reads the bucket's chain (or, while the bucket's old unit is not
 * evacuated, the old chain(s) that feed it, keeping only entries that belong to this bucket), hashes each live entry,
 * and keeps the 8 smallest after the cursor in an inline buffer (slot address + hash), sorted. MoveNext pops the buffer:
 * a slot that is empty now was removed since, and is skipped. If _layoutEpoch changed (entries may have moved, arrays
 * may be gone) the buffer is discarded and refilled from the bucket that contains the cursor at the current size,
 * keeping only entries after the cursor. A chain with more than 8 live entries is read again after each 8.
 *
 * Ties: two keys with the same 64-bit hash (only possible through a comparer; bitwise keys of 8 bytes or less hash
 * injectively) are ordered by their bytes. A comparer that calls two different byte patterns equal never lets both into
 * the map, so the order is total. Cost: one hash per entry and an insertion sort of at most 8, per bucket visited.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>Enumerates the entries of a <see cref="NativeMap{TKey, TValue}"/> without allocating.</summary>
    /// <remarks>Removes and value overwrites are allowed during enumeration; adding a key invalidates the enumerator.</remarks>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private const int NotStarted = 0;
        private const int Running = 1;
        private const int Finished = 2;

        private readonly NativeMap<TKey, TValue> _map;
        private readonly int _version;
        private int _state;

        /// <summary>The map's layout epoch when the buffer was filled; the buffer's slot addresses are valid while it holds.</summary>
        private int _epoch;

        /// <summary>The bucket being read, an index into an array of 2^map._b buckets (valid while the epoch holds).</summary>
        private nuint _bucket;

        /// <summary>The bucket had more entries after the cursor than the buffer holds.</summary>
        private bool _truncated;

        private int _buffered;
        private int _next;

        /// <summary>Whether an entry has been yielded; the cursor is the last one.</summary>
        private bool _hasCursor;
        private ulong _cursorHash;
        private TKey _cursorKey;

        private KeyValuePair<TKey, TValue> _current;
        private CandidateBuffer _candidates;

        internal Enumerator(NativeMap<TKey, TValue> map)
        {
            _map = map;
            _version = map._version;
        }

        /// <summary>The entry at the current position.</summary>
        public readonly KeyValuePair<TKey, TValue> Current => _current;

        readonly object IEnumerator.Current
        {
            get
            {
                if (_state != Running)
                {
                    ThrowHelper.ThrowEnumerationNotRunning();
                }

                return _current;
            }
        }

        /// <summary>Advances to the next entry.</summary>
        /// <returns>False when every entry has been yielded.</returns>
        /// <exception cref="InvalidOperationException">A key was added since the enumeration started.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public bool MoveNext()
        {
            NativeMap<TKey, TValue> map = _map;
            if (_version != map._version)
            {
                ThrowHelper.ThrowEnumeratorVersion();
            }

            if (map._disposed)
            {
                ThrowHelper.ThrowObjectDisposed(map.GetType().Name);
            }

            if (map._writing)
            {
                ThrowHelper.ThrowConcurrentWrite();
            }

            if (_state == Finished)
            {
                return false;
            }

            if (_state == NotStarted)
            {
                _state = Running;
                Fill(map, 0, afterCursor: false);
            }
            else if (_epoch != map._layoutEpoch)
            {
                Fill(map, _hasCursor ? (nuint)_cursorHash & BucketMask(map._b) : 0, afterCursor: _hasCursor);
            }

            while (true)
            {
                while (_next < _buffered)
                {
                    EnumerationCandidate candidate = _candidates[_next++];
                    byte* b = (byte*)(candidate.Slot & ~(nint)7);
                    int i = (int)(candidate.Slot & 7);
                    if (b[i] < TopHash.MinTopHash)
                    {
                        continue; // removed since the buffer was filled
                    }

                    TKey* slotKey = BucketLayout<TKey, TValue>.Key(b, i);
                    TKey key = *slotKey;
                    _cursorHash = candidate.Hash;

                    // Byte for byte (padding included): ties between equal hashes are broken by the key's bytes.
                    Unsafe.CopyBlockUnaligned(ref Unsafe.As<TKey, byte>(ref _cursorKey), ref *(byte*)slotKey, (uint)sizeof(TKey));
                    _hasCursor = true;
                    _current = new KeyValuePair<TKey, TValue>(key, *BucketLayout<TKey, TValue>.Value(b, i));
                    return true;
                }

                if (_truncated)
                {
                    Fill(map, _bucket, afterCursor: true);
                    continue;
                }

                if (map._buckets == null || !NextBucket(map._b))
                {
                    _state = Finished;
                    _current = default;
                    return false;
                }

                Fill(map, _bucket, afterCursor: false);
            }
        }

        /// <summary>Restarts the enumeration.</summary>
        /// <exception cref="InvalidOperationException">A key was added since the enumeration started.</exception>
        public void Reset()
        {
            if (_version != _map._version)
            {
                ThrowHelper.ThrowEnumeratorVersion();
            }

            _state = NotStarted;
            _hasCursor = false;
            _truncated = false;
            _buffered = 0;
            _next = 0;
            _current = default;
        }

        /// <summary>Does nothing: the enumerator holds no resources.</summary>
        public readonly void Dispose()
        {
        }

        /// <summary>Moves <see cref="_bucket"/> to the next bucket in reverse-bit order; false after the last.</summary>
        private bool NextBucket(int b)
        {
            nuint free = ~_bucket & BucketMask(b);
            if (free == 0)
            {
                return false;
            }

            nuint highestZero = (nuint)1 << BitOperations.Log2(free);
            _bucket = (_bucket & (highestZero - 1)) | highestZero;
            return true;
        }

        /// <summary>Lines up the (first 8) entries of bucket <paramref name="index"/>, only those after the cursor when asked.</summary>
        private void Fill(NativeMap<TKey, TValue> map, nuint index, bool afterCursor)
        {
            _bucket = index;
            _epoch = map._layoutEpoch;
            _buffered = 0;
            _next = 0;
            _truncated = false;
            byte* buckets = map._buckets;
            if (buckets == null)
            {
                return;
            }

            int b = map._b;
            byte* old = map._oldBuckets;
            if (old != null)
            {
                if (map._oldB > b)
                {
                    byte* low = BucketLayout<TKey, TValue>.At(old, index);
                    if (!TopHash.IsEvacuated(low))
                    {
                        Collect(map, low, index, b, filterBucket: false, afterCursor);
                        Collect(map, BucketLayout<TKey, TValue>.At(old, index + ((nuint)1 << b)), index, b, filterBucket: false, afterCursor);
                        return;
                    }
                }
                else
                {
                    byte* source = BucketLayout<TKey, TValue>.At(old, index & BucketMask(map._oldB));
                    if (!TopHash.IsEvacuated(source))
                    {
                        Collect(map, source, index, b, filterBucket: map._oldB < b, afterCursor);
                        return;
                    }
                }
            }

            Collect(map, BucketLayout<TKey, TValue>.At(buckets, index), index, b, filterBucket: false, afterCursor);
        }

        private void Collect(NativeMap<TKey, TValue> map, byte* head, nuint index, int b, bool filterBucket, bool afterCursor)
        {
            for (byte* bucket = head; bucket != null; bucket = BucketLayout<TKey, TValue>.Overflow(bucket))
            {
                for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    TKey* key = BucketLayout<TKey, TValue>.Key(bucket, i);
                    ulong hash = map.Hash(*key);
                    if (filterBucket && ((nuint)hash & BucketMask(b)) != index)
                    {
                        continue;
                    }

                    if (afterCursor && !Precedes(_cursorHash, ref _cursorKey, hash, ref *key))
                    {
                        continue;
                    }

                    Insert(hash, key, (nint)bucket | i);
                }
            }
        }

        /// <summary>Inserts into the sorted buffer, dropping the largest when full.</summary>
        private void Insert(ulong hash, TKey* key, nint slot)
        {
            int position;
            if (_buffered == CandidateBuffer.Length)
            {
                _truncated = true;
                if (!Precedes(hash, ref *key, _candidates[CandidateBuffer.Length - 1]))
                {
                    return;
                }

                position = CandidateBuffer.Length - 1;
            }
            else
            {
                position = _buffered++;
            }

            while (position > 0 && Precedes(hash, ref *key, _candidates[position - 1]))
            {
                _candidates[position] = _candidates[position - 1];
                position--;
            }

            _candidates[position] = new EnumerationCandidate(hash, slot);
        }

        private static bool Precedes(ulong hash, ref TKey key, EnumerationCandidate other)
        {
            byte* b = (byte*)(other.Slot & ~(nint)7);
            return Precedes(hash, ref key, other.Hash, ref *BucketLayout<TKey, TValue>.Key(b, (int)(other.Slot & 7)));
        }

        /// <summary>Whether (a, ka) comes before (b, kb): by bit-reversed hash (lowest differing bit), then key bytes.</summary>
        private static bool Precedes(ulong a, ref TKey ka, ulong b, ref TKey kb)
        {
            ulong diff = a ^ b;
            if (diff != 0)
            {
                return (a & diff & (0 - diff)) == 0;
            }

            return MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref ka, 1))
                .SequenceCompareTo(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref kb, 1))) < 0;
        }
    }
}
