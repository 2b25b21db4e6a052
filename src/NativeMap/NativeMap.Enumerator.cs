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
 * The problem. Removes during enumeration do real work: they evacuate (moving entries between arrays), start shrinks
 * (halving the array, so two buckets merge into one), finish resizes (freeing the old array), and empty the map (new
 * seed). Go's iterator survives growth because its old buckets stay readable until the GC frees them; ours go back to
 * the heap at once. Refusing to start a shrink while "an enumerator may be live" is not an option either: an enumerator
 * abandoned without Dispose would pin the map's size forever.
 *
 * The order. Only inserts grow the array, and inserts invalidate the enumerator, so while an enumeration is valid the
 * array never has more than 2^B0 buckets, B0 being its size when the enumeration started. The enumerator walks B0's
 * buckets ("virtual buckets") in index order, 0 to 2^B0 - 1: virtual bucket v holds exactly the entries whose low B0
 * hash bits are v, wherever they live now. While the array still has 2^B0 buckets and v's bucket is not being
 * evacuated, that is one chain, read front to back: a sequential walk of the array, no hashing. After a shrink (or
 * while v's old bucket feeds it) v's entries share a chain with other virtual buckets', and are picked out by hash.
 *
 * Within a virtual bucket. Usually all of v's entries fit the inline buffer (16 slots; a chain averages 6.5 at most):
 * the enumerator copies their slot addresses and keys when it enters v ("snapshot") and yields them in chain order.
 * A slot whose tophash is empty now was removed since, and is skipped. If the layout epoch changes meanwhile (a remove
 * evacuated, shrank or emptied: entries may have moved, arrays may be gone), the slot addresses are dropped and each
 * remaining key is looked up afresh: found means still present, and its current value is yielded.
 * A virtual bucket with more entries than the buffer holds (a long overflow chain), or one that must be picked out by
 * hash, is yielded in increasing (reverse-bits(hash), key bytes) order instead ("sorted"): the buffer keeps the 16
 * smallest entries after the cursor, the last entry yielded, and is refilled from the cursor after each 16 and after
 * each epoch change. That order does not depend on the layout, so everything before the cursor was yielded and
 * everything after it was not, whatever moved.
 *
 * Ties: two keys with the same 64-bit hash (only possible through a comparer; bitwise keys of 8 bytes or less hash
 * injectively) are ordered by their bytes. A comparer that calls two different byte patterns equal never lets both into
 * the map, so the order is total.
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

        /// <summary>log2 of the number of virtual buckets: the map's _b when the enumeration started, never below its
        /// _b since (only inserts grow the array, and they end the enumeration).</summary>
        private int _shift;

        /// <summary>The virtual bucket being yielded: the entries whose low <see cref="_shift"/> hash bits equal it.</summary>
        private nuint _bucket;

        /// <summary>The map's layout epoch when the buffer was filled; the buffer's slot addresses are valid while it holds.</summary>
        private int _epoch;

        /// <summary>Snapshot mode only: the epoch changed since the buffer was filled, so the remaining keys are looked up.</summary>
        private bool _stale;

        /// <summary>The virtual bucket is yielded in sorted order (see the top of the file); otherwise from a snapshot.</summary>
        private bool _sorted;

        /// <summary>Sorted mode only: the bucket had more entries after the cursor than the buffer holds.</summary>
        private bool _truncated;

        private int _buffered;
        private int _next;

        /// <summary>Sorted mode only: whether an entry of this virtual bucket has been yielded; the cursor is the last one.</summary>
        private bool _hasCursor;
        private ulong _cursorHash;
        private TKey _cursorKey;

        private KeyValuePair<TKey, TValue> _current;

        /// <summary>Slot addresses (bucket | slot index), with their hashes in sorted mode.</summary>
        private CandidateBuffer _candidates;

        /// <summary>Snapshot mode: a copy of the key of each buffered slot, to find it again after the layout changes.</summary>
        private KeyBuffer<TKey> _keys;

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

            // The common case inline: a snapshot whose slots are still where they were.
            if (!_sorted && _epoch == map._layoutEpoch && _state == Running)
            {
                while (_next < _buffered)
                {
                    if (TryYieldSlot(_next++))
                    {
                        return true;
                    }
                }
            }

            return MoveNextSlow(map);
        }

        private bool MoveNextSlow(NativeMap<TKey, TValue> map)
        {
            if (_state == Finished)
            {
                return false;
            }

            if (_state == NotStarted)
            {
                if (map._count == 0)
                {
                    return Finish();
                }

                _state = Running;
                _shift = map._b;
                Fill(map, 0, sortedOnly: false);
            }
            else if (_epoch != map._layoutEpoch)
            {
                if (_sorted)
                {
                    Fill(map, _bucket, sortedOnly: true);
                }
                else
                {
                    _stale = true;
                }
            }

            while (true)
            {
                if (_next < _buffered && (_sorted ? NextSorted() : NextSnapshot(map)))
                {
                    return true;
                }

                if (_truncated)
                {
                    Fill(map, _bucket, sortedOnly: true);
                    continue;
                }

                // Nothing is left once the map is empty (which also covers arrays freed by the last remove).
                if (map._count == 0 || _bucket + 1 >= (nuint)1 << _shift)
                {
                    return Finish();
                }

                Fill(map, _bucket + 1, sortedOnly: false);
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
            _bucket = 0;
            _sorted = false;
            _stale = false;
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

        private bool Finish()
        {
            _state = Finished;
            _buffered = 0;
            _next = 0;
            _current = default;
            return false;
        }

        /// <summary>Yields the next buffered snapshot entry still in the map; false when the buffer is used up.</summary>
        private bool NextSnapshot(NativeMap<TKey, TValue> map)
        {
            while (_next < _buffered)
            {
                if (!_stale)
                {
                    if (TryYieldSlot(_next++))
                    {
                        return true;
                    }

                    continue;
                }

                // Entries may have moved: find the key where it is now (absent means removed since). Moving past the
                // entry only afterwards: a comparer that throws here leaves it to be looked up again.
                int k = _next;
                TValue* value = map.FindValue(_keys[k]);
                _next = k + 1;
                if (value != null)
                {
                    _current = new KeyValuePair<TKey, TValue>(_keys[k], *value);
                    return true;
                }
            }

            return false;
        }

        /// <summary>Yields snapshot entry <paramref name="k"/> from its slot, valid while the epoch holds; false when the
        /// slot was emptied by a remove since the buffer was filled.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool TryYieldSlot(int k)
        {
            nint slot = _candidates[k].Slot;
            byte* b = (byte*)(slot & ~(nint)7);
            int i = (int)(slot & 7);
            if (b[i] < TopHash.MinTopHash)
            {
                return false;
            }

            _current = new KeyValuePair<TKey, TValue>(_keys[k], *BucketLayout<TKey, TValue>.Value(b, i));
            return true;
        }

        /// <summary>Yields the next buffered sorted entry still in the map and moves the cursor to it; false when the buffer is used up.</summary>
        private bool NextSorted()
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
                _cursorHash = candidate.Hash;

                // Byte for byte (padding included): ties between equal hashes are broken by the key's bytes.
                CopyKeyBytes(ref _cursorKey, slotKey);
                _hasCursor = true;
                _current = new KeyValuePair<TKey, TValue>(*slotKey, *BucketLayout<TKey, TValue>.Value(b, i));
                return true;
            }

            return false;
        }

        /// <summary>
        /// Lines up the entries of virtual bucket <paramref name="v"/> at the current layout: all of them as a snapshot
        /// when they fit and need no hashing, else (or when <paramref name="sortedOnly"/>: the bucket is being yielded
        /// in sorted order already) the first ones after the cursor in sorted order.
        /// </summary>
        private void Fill(NativeMap<TKey, TValue> map, nuint v, bool sortedOnly)
        {
            if (v != _bucket)
            {
                _hasCursor = false; // a cursor belongs to its virtual bucket
            }

            _bucket = v;

            // Until the fill completes, the buffer does not match the layout: if the comparer throws while hashing, the
            // next MoveNext sees a changed epoch and fills again (from the cursor in sorted mode) instead of yielding a
            // partial buffer.
            _epoch = map._layoutEpoch - 1;
            _stale = false;
            _truncated = false;
            _buffered = 0;
            _next = 0;
            LineUp(map, v, sortedOnly);
            _epoch = map._layoutEpoch;
        }

        /// <summary>The body of <see cref="Fill"/>, on a reset buffer.</summary>
        private void LineUp(NativeMap<TKey, TValue> map, nuint v, bool sortedOnly)
        {
            byte* buckets = map._buckets;
            if (buckets == null)
            {
                return;
            }

            int b = map._b;
            if (b > _shift)
            {
                // Only inserts grow the array, and they end enumerations; an empty map may have been presized since.
                if (map._count == 0)
                {
                    return;
                }

                ThrowHelper.ThrowEnumeratorVersion();
            }

            nuint index = v & BucketMask(b);

            // Where the bucket's entries live now: the new chain, or the old chain(s) that still feed it.
            byte* first = BucketLayout<TKey, TValue>.At(buckets, index);
            byte* second = null;
            bool filter = _shift > b;
            byte* old = map._oldBuckets;
            if (old != null)
            {
                if (map._oldB > b)
                {
                    if (!map.IsEvacuatedOld(index))
                    {
                        first = BucketLayout<TKey, TValue>.At(old, index);
                        second = BucketLayout<TKey, TValue>.At(old, index + ((nuint)1 << b));
                    }
                }
                else
                {
                    nuint source = index & BucketMask(map._oldB);
                    if (!map.IsEvacuatedOld(source))
                    {
                        first = BucketLayout<TKey, TValue>.At(old, source);
                        filter |= map._oldB < b;
                    }
                }
            }

            if (!sortedOnly && !filter && (Snapshot(first) && (second == null || Snapshot(second))))
            {
                _sorted = false;
                return;
            }

            // Sorted: hash every entry, keep those of this virtual bucket after the cursor.
            _sorted = true;
            _buffered = 0; // drop a partial snapshot
            Collect(map, first, filter);
            if (second != null)
            {
                Collect(map, second, filter);
            }
        }

        /// <summary>Appends the chain's entries to the snapshot; false (buffer partly filled) when they do not all fit.</summary>
        private bool Snapshot(byte* head)
        {
            for (byte* bucket = head; bucket != null; bucket = BucketLayout<TKey, TValue>.Overflow(bucket))
            {
                ulong full = TopHash.MatchFull(TopHash.Load(bucket));
                if (_buffered + BitOperations.PopCount(full) > CandidateBuffer.Length)
                {
                    return false;
                }

                for (; full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    _candidates[_buffered] = new EnumerationCandidate(0, (nint)bucket | i);

                    // Byte for byte: the copy is looked up again if the layout changes, and must be the stored key.
                    CopyKeyBytes(ref _keys[_buffered], BucketLayout<TKey, TValue>.Key(bucket, i));
                    _buffered++;
                }
            }

            return true;
        }

        private void Collect(NativeMap<TKey, TValue> map, byte* head, bool filter)
        {
            nuint mask = BucketMask(_shift);
            for (byte* bucket = head; bucket != null; bucket = BucketLayout<TKey, TValue>.Overflow(bucket))
            {
                for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    TKey* key = BucketLayout<TKey, TValue>.Key(bucket, i);
                    ulong hash = map.Hash(*key);
                    if (filter && ((nuint)hash & mask) != _bucket)
                    {
                        continue;
                    }

                    if (_hasCursor && !Precedes(_cursorHash, ref _cursorKey, hash, ref *key))
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

        /// <summary>Copies a stored key with its padding bytes (a plain struct copy need not preserve padding).</summary>
        private static void CopyKeyBytes(ref TKey destination, TKey* source) =>
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<TKey, byte>(ref destination), ref *(byte*)source, (uint)sizeof(TKey));

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
