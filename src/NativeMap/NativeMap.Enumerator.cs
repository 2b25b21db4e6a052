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
 * Within a virtual bucket. Usually all of v's entries live in one chain (or in the two old chains that feed it during
 * a shrink) and number at most 16, the inline buffer's size (a chain averages 6.5 at most, and fewer than 1 in 1,000
 * hold more). The enumerator then scans that chain ("scan"), yielding each full slot straight from its bucket, and
 * copies each yielded key into the buffer. While no remove changes the layout that is all an enumeration does: a
 * sequential read of the array and its chains, one epoch compare per entry. A slot emptied since its bucket was
 * entered is skipped. If the layout epoch changes meanwhile (a remove evacuated, shrank or emptied: entries may have
 * moved, arrays may be gone), the scan position means nothing any more; the keys in the buffer are exactly the entries
 * of v yielded so far, so the rest of v is yielded in sorted order (below), leaving those keys out.
 * A virtual bucket with more entries than the buffer holds (a long overflow chain), one that must be picked out by
 * hash, and the rest of one whose scan was interrupted, are yielded in increasing (reverse-bits(hash), key bytes) order
 * ("sorted"): the buffer keeps the 16 smallest entries after the cursor, the last entry yielded, and is refilled from
 * the cursor after each 16 and after each epoch change. That order does not depend on the layout, so everything before
 * the cursor was yielded and everything after it was not, whatever moved.
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

        /// <summary>How many buckets ahead of the scan overflow buckets are prefetched (about 2 KiB of array ahead).</summary>
        private const int OverflowLookahead = 16;

        private readonly NativeMap<TKey, TValue> _map;
        private readonly int _version;
        private int _state;

        /// <summary>log2 of the number of virtual buckets: the map's _b when the enumeration started, never below its
        /// _b since (only inserts grow the array, and they end the enumeration).</summary>
        private int _shift;

        /// <summary>The virtual bucket being yielded: the entries whose low <see cref="_shift"/> hash bits equal it.</summary>
        private nuint _bucket;

        /// <summary>The map's layout epoch when the position was taken: <see cref="_scanBucket"/> and the buffer's slot
        /// addresses are valid while it holds.</summary>
        private int _epoch;

        /// <summary>The virtual bucket is yielded in sorted order (see the top of the file); otherwise it is scanned.</summary>
        private bool _sorted;

        /// <summary>Scan mode: the bucket being scanned; null once the virtual bucket's chains are used up (or in sorted mode).</summary>
        private byte* _scanBucket;

        /// <summary>Scan mode: the slots of <see cref="_scanBucket"/> not visited yet that were full when it was entered.</summary>
        private ulong _scanFull;

        /// <summary>Scan mode: the head of the chain to scan after this one (the second old chain feeding the bucket
        /// during a shrink), or null.</summary>
        private byte* _scanNext;

        /// <summary>Scan mode: the array has 2^<see cref="_shift"/> buckets and no resize is in progress (true while
        /// <see cref="_epoch"/> holds), so the next virtual bucket is the next bucket of the array.</summary>
        private bool _scanArray;

        /// <summary>Scan mode with <see cref="_scanArray"/>: the head of the virtual bucket's chain.</summary>
        private byte* _scanHead;

        /// <summary>The entries of this virtual bucket yielded by its scan, their keys in <see cref="_keys"/>. A sorted
        /// pass over the rest of the virtual bucket (after an epoch change) leaves them out.</summary>
        private int _scanned;

        /// <summary>Sorted mode only: the bucket had more entries after the cursor than the buffer holds.</summary>
        private bool _truncated;

        private int _buffered;
        private int _next;

        /// <summary>Sorted mode only: whether an entry of this virtual bucket has been yielded; the cursor is the last one.</summary>
        private bool _hasCursor;
        private ulong _cursorHash;
        private TKey _cursorKey;

        private KeyValuePair<TKey, TValue> _current;

        /// <summary>Sorted mode: slot addresses (bucket | slot index) with their hashes.</summary>
        private CandidateBuffer _candidates;

        /// <summary>A byte-for-byte copy of the key of each entry the scan of this virtual bucket yielded.</summary>
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

            // The common case inline: the next full slot of the bucket being scanned, which is where it was.
            if (_epoch == map._layoutEpoch)
            {
                byte* bucket = _scanBucket;
                for (ulong full = _scanFull; full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    if (bucket[i] >= TopHash.MinTopHash)
                    {
                        _scanFull = full & (full - 1);
                        Yield(bucket, i);
                        return true;
                    }
                }

                _scanFull = 0;
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
                // Entries may have moved: yield the rest of the virtual bucket in sorted order, after the cursor (sorted
                // mode) or leaving out what the scan yielded.
                Fill(map, _bucket, sortedOnly: true);
            }

            while (true)
            {
                if (_sorted ? _next < _buffered && NextSorted() : NextScanned())
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
            _scanBucket = null;
            _scanFull = 0;
            _scanNext = null;
            _scanArray = false;
            _scanned = 0;
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
            _scanBucket = null;
            _scanFull = 0;
            _scanNext = null;
            _buffered = 0;
            _next = 0;
            _current = default;
            return false;
        }

        /// <summary>Yields slot <paramref name="i"/> of <paramref name="bucket"/> and records its key as scanned.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Yield(byte* bucket, int i)
        {
            TKey* key = BucketLayout<TKey, TValue>.Key(bucket, i);

            // Byte for byte: after an epoch change the copy is compared with the stored keys, and must be the stored key.
            CopyKeyBytes(ref _keys[_scanned++], key);
            _current = new KeyValuePair<TKey, TValue>(*key, *BucketLayout<TKey, TValue>.Value(bucket, i));
        }

        /// <summary>Scan mode: yields the next full slot of the virtual bucket's chains, going on to the next buckets of
        /// the array while they can be scanned (see <see cref="_scanArray"/>); false when the chains are used up.</summary>
        private bool NextScanned()
        {
            byte* bucket = _scanBucket;
            while (bucket != null)
            {
                for (ulong full = _scanFull; full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    if (bucket[i] >= TopHash.MinTopHash)
                    {
                        _scanFull = full & (full - 1);
                        Yield(bucket, i);
                        return true;
                    }
                }

                bucket = BucketLayout<TKey, TValue>.Overflow(bucket);
                if (bucket == null)
                {
                    bucket = _scanNext;
                    _scanNext = null;
                    if (bucket == null && _scanArray && _bucket + 1 < (nuint)1 << _shift)
                    {
                        // The next virtual bucket is the next bucket of the array; a chain too long for the buffer
                        // leaves it to Fill (sorted).
                        byte* head = _scanHead + BucketLayout<TKey, TValue>.BucketSize;
                        PrefetchOverflowAhead(head, _bucket + 1);
                        if (FitsBuffer(head, null))
                        {
                            _bucket++;
                            _scanHead = head;
                            _scanned = 0;
                            bucket = head;
                        }
                    }
                }

                _scanBucket = bucket;
                _scanFull = bucket == null ? 0 : TopHash.MatchFull(TopHash.Load(bucket));
            }

            return false;
        }

        /// <summary>
        /// Prefetches the overflow bucket of the array's bucket <see cref="OverflowLookahead"/> after
        /// <paramref name="head"/> (virtual bucket <paramref name="v"/>), if it has one. The array streams in through
        /// the hardware prefetcher; overflow buckets are elsewhere in the heap, and at 10 M entries (4.8 per bucket,
        /// about 1 bucket in 20 with an overflow) waiting for each was a third of a scan's time.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void PrefetchOverflowAhead(byte* head, nuint v)
        {
            if (v + OverflowLookahead < (nuint)1 << _shift)
            {
                byte* overflow = BucketLayout<TKey, TValue>.Overflow(head + (OverflowLookahead * BucketLayout<TKey, TValue>.BucketSize));
                if (overflow != null)
                {
                    TopHash.PrefetchAll(overflow, BucketLayout<TKey, TValue>.BucketSize);
                }
            }
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
        /// Lines up the entries of virtual bucket <paramref name="v"/> at the current layout: for a scan when they fit
        /// and need no hashing, else (or when <paramref name="sortedOnly"/>: the rest of a bucket whose scan or sorted
        /// pass has begun) the first ones after the cursor in sorted order, leaving out the scanned ones.
        /// </summary>
        private void Fill(NativeMap<TKey, TValue> map, nuint v, bool sortedOnly)
        {
            if (v != _bucket || !sortedOnly)
            {
                // A cursor and the scanned keys belong to their virtual bucket.
                _hasCursor = false;
                _scanned = 0;
            }

            _bucket = v;

            // Until the fill completes, the position does not match the layout: if the comparer throws while hashing,
            // the next MoveNext sees a changed epoch and fills again (from the cursor, leaving out the scanned keys)
            // instead of yielding a partial buffer.
            _epoch = map._layoutEpoch - 1;
            _scanBucket = null;
            _scanFull = 0;
            _scanNext = null;
            _scanArray = false;
            _truncated = false;
            _buffered = 0;
            _next = 0;
            LineUp(map, v, sortedOnly);
            _epoch = map._layoutEpoch;
        }

        /// <summary>The body of <see cref="Fill"/>, on a reset position.</summary>
        private void LineUp(NativeMap<TKey, TValue> map, nuint v, bool sortedOnly)
        {
            _sorted = true;
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

            if (!sortedOnly && !filter && FitsBuffer(first, second))
            {
                _sorted = false;
                _scanBucket = first;
                _scanFull = TopHash.MatchFull(TopHash.Load(first));
                _scanNext = second;
                _scanArray = old == null && b == _shift;
                _scanHead = first;
                return;
            }

            // Sorted: hash every entry, keep those of this virtual bucket after the cursor that the scan did not yield.
            Collect(map, first, filter);
            if (second != null)
            {
                Collect(map, second, filter);
            }
        }

        /// <summary>Whether the chains at <paramref name="first"/> and <paramref name="second"/> (may be null) hold at most
        /// a buffer's worth of entries, so that a scan can record every key it yields.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool FitsBuffer(byte* first, byte* second) =>
            (second == null && BucketLayout<TKey, TValue>.Overflow(first) == null) // one bucket: at most 8
            || CountFitsBuffer(first, second);

        /// <summary><see cref="FitsBuffer"/> for chains with overflow buckets: counts their entries.</summary>
        private static bool CountFitsBuffer(byte* first, byte* second)
        {
            int entries = 0;
            for (byte* head = first; head != null; head = head == first ? second : null)
            {
                for (byte* bucket = head; bucket != null; bucket = BucketLayout<TKey, TValue>.Overflow(bucket))
                {
                    entries += BitOperations.PopCount(TopHash.MatchFull(TopHash.Load(bucket)));
                }
            }

            return entries <= CandidateBuffer.Length;
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

                    if (_scanned != 0 && WasScanned(key))
                    {
                        continue;
                    }

                    Insert(hash, key, (nint)bucket | i);
                }
            }
        }

        /// <summary>Whether the scan of this virtual bucket yielded <paramref name="key"/> (same bytes: entries move by copy).</summary>
        private readonly bool WasScanned(TKey* key)
        {
            ReadOnlySpan<byte> bytes = new(key, sizeof(TKey));
            for (int k = 0; k < _scanned; k++)
            {
                if (bytes.SequenceEqual(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in _keys[k], 1))))
                {
                    return true;
                }
            }

            return false;
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
