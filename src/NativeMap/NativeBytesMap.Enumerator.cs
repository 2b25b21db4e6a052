using System.Buffers;
using System.Collections;

namespace NativeMap;

/*
 * Enumeration of NativeBytesMap.
 *
 * Rules (Dictionary's): Remove and value overwrites are allowed during enumeration; adding a key (and Clear,
 * TrimExcess, and an EnsureCapacity that resizes) bumps _version and the next MoveNext throws. Every entry present when
 * the enumeration starts and not removed before the enumerator reaches it is yielded exactly once, whatever growth,
 * shrinking, evacuation or compaction happens in between.
 *
 * Order: increasing ord (NativeBytesMap.Positions.cs), keys with equal ords by their bytes. That order does not depend
 * on the layout, so after any write the enumerator resumes from its cursor — the last entry yielded — and neither skips
 * nor repeats. Unlike NativeMap's enumerator it never needs to copy a key to know where it is, because 40 bits of every
 * slot's hash are in the bucket: the cursor is the last ord, and only when another entry shares that ord (odds about
 * 2^-40 per pair in a bucket; the tests force it with a narrowed hash) is the cursor's key copied, into an array rented
 * from the pool.
 *
 * The buffer holds up to 16 slots of the current position, after the cursor, in order, as slot addresses (bucket |
 * index): valid while _layoutEpoch holds (slots move only on evacuation and resizes). A slot emptied since the fill is
 * skipped; a slot overwritten since holds its new entry, which is read through the slot. When the epoch changes, or the
 * buffer is used up, it is filled again from the cursor: the rest of the cursor's position at the current size (a shrink
 * may have merged it with the next one), or else the next position that has entries.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>Enumerates the entries of a <see cref="NativeBytesMap"/> without allocating.</summary>
    /// <remarks>Removes and value overwrites are allowed during enumeration; adding a key invalidates the enumerator.
    /// <see cref="Current"/> is an <see cref="Entry"/>: read it before writing to the map.</remarks>
    public struct Enumerator : IEnumerator<Entry>
    {
        private const int NotStarted = 0;
        private const int Running = 1;
        private const int Finished = 2;

        /// <summary>Cursor modes: entries with ord at or after the cursor ord are pending.</summary>
        private const int FromOrd = 0;

        /// <summary>Entries with ord after the cursor ord are pending (no other entry shares the cursor's ord).</summary>
        private const int AfterOrd = 1;

        /// <summary>Entries with ord after the cursor ord, or equal and key bytes after the cursor key, are pending.</summary>
        private const int AfterKey = 2;

        private readonly NativeBytesMap _map;
        private readonly int _version;
        private int _state;

        private ulong _cursorOrd;
        private int _cursorMode;
        private byte[]? _cursorKey;
        private int _cursorKeyLength;

        /// <summary>The map's layout epoch when the buffer was filled.</summary>
        private int _epoch;
        private int _buffered;
        private int _next;

        /// <summary>Bit k: buffered entry k shares its ord with another entry of the position.</summary>
        private uint _tied;

        private Entry _current;

        /// <summary>Slot addresses and ords, in order.</summary>
        private CandidateBuffer _candidates;

        internal Enumerator(NativeBytesMap map)
        {
            _map = map;
            _version = map._version;
        }

        /// <summary>The entry at the current position.</summary>
        public readonly Entry Current => _current;

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
        /// <exception cref="InvalidOperationException">A key was added since the enumeration started, or a write is in progress.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public bool MoveNext()
        {
            NativeBytesMap map = _map;
            if (_version != map._version)
            {
                ThrowHelper.ThrowEnumeratorVersion();
            }

            map.EnterRead();
            if (_state == Finished)
            {
                return false;
            }

            if (_state == NotStarted)
            {
                _state = Running;
                _cursorOrd = 0;
                _cursorMode = FromOrd;
                Fill(map);
            }
            else if (_epoch != map._layoutEpoch)
            {
                Fill(map);
            }

            while (true)
            {
                while (_next < _buffered)
                {
                    int k = _next++;
                    nint slot = _candidates[k].Slot;
                    byte* b = (byte*)(slot & ~(nint)7);
                    int i = (int)(slot & 7);
                    if (b[i] < TopHash.MinTopHash)
                    {
                        continue; // removed since the fill
                    }

                    byte* entry = BytesBucket.Entry(b, i);
                    MoveCursor(_candidates[k].Hash, entry, (_tied & (1u << k)) != 0);
                    _current = new Entry(map, entry);
                    return true;
                }

                // The buffer is used up: fill it again from the cursor. (Not from the next position at once: a shrink
                // since the fill may have merged the cursor's position with the next one, whose entries are pending.)
                if (map._count == 0)
                {
                    return Finish();
                }

                Fill(map);
                if (_buffered == 0)
                {
                    return Finish();
                }
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
            _buffered = 0;
            _next = 0;
            _current = default;
        }

        /// <summary>Returns the array that holds a copied cursor key, if one was rented.</summary>
        public void Dispose()
        {
            if (_cursorKey is not null)
            {
                ArrayPool<byte>.Shared.Return(_cursorKey);
                _cursorKey = null;
            }
        }

        private bool Finish()
        {
            _state = Finished;
            _buffered = 0;
            _next = 0;
            _current = default;
            return false;
        }

        /// <summary>Makes the entry just yielded the cursor; copies its key when another entry shares its ord.</summary>
        private void MoveCursor(ulong ord, byte* entry, bool tied)
        {
            _cursorOrd = ord;
            if (!tied)
            {
                _cursorMode = AfterOrd;
                return;
            }

            int length = BytesEntry.KeyLength(entry);
            if (_cursorKey is null || _cursorKey.Length < length)
            {
                if (_cursorKey is not null)
                {
                    ArrayPool<byte>.Shared.Return(_cursorKey);
                }

                _cursorKey = ArrayPool<byte>.Shared.Rent(Math.Max(length, 16));
            }

            BytesEntry.KeySpan(entry).CopyTo(_cursorKey);
            _cursorKeyLength = length;
            _cursorMode = AfterKey;
        }

        /// <summary>
        /// Lines up the pending entries of the first position at or after the cursor that has any: up to 16, in order.
        /// Leaves the buffer empty when no entry is pending.
        /// </summary>
        private void Fill(NativeBytesMap map)
        {
            _buffered = 0;
            _next = 0;
            _tied = 0;
            _epoch = map._layoutEpoch;
            if (map._buckets == null || map._count == 0)
            {
                return;
            }

            while (true)
            {
                nuint v = map.BucketOfOrd(_cursorOrd);
                map.ChainsOf(v, out byte* first, out byte* second, out bool filter);
                ulong droppedMin = ulong.MaxValue;
                Collect(map, first, v, filter, ref droppedMin);
                if (second != null)
                {
                    Collect(map, second, v, filter, ref droppedMin);
                }

                if (_buffered > 0)
                {
                    MarkTies(droppedMin);
                    return;
                }

                ulong next = map.NextPosition(_cursorOrd);
                if (next >= OrdEnd)
                {
                    return;
                }

                _cursorOrd = next;
                _cursorMode = FromOrd;
            }
        }

        private void Collect(NativeBytesMap map, byte* head, nuint v, bool filter, ref ulong droppedMin)
        {
            uint mask = (uint)BucketMask(map._b);
            for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
            {
                for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
                {
                    int i = TopHash.FirstSlot(full);
                    if (filter && (*BytesBucket.Hash(bucket, i) & mask) != (uint)v)
                    {
                        continue;
                    }

                    ulong ord = OrdOf(bucket, i);
                    if (!IsPending(ord, bucket, i))
                    {
                        continue;
                    }

                    Insert(ord, (nint)bucket | i, ref droppedMin);
                }
            }
        }

        private readonly bool IsPending(ulong ord, byte* bucket, int slot) => _cursorMode switch
        {
            FromOrd => ord >= _cursorOrd,
            AfterOrd => ord > _cursorOrd,
            _ => ord > _cursorOrd || (ord == _cursorOrd
                && BytesEntry.KeySpan(BytesBucket.Entry(bucket, slot)).SequenceCompareTo(new ReadOnlySpan<byte>(_cursorKey, 0, _cursorKeyLength)) > 0),
        };

        /// <summary>Inserts into the ordered buffer, dropping the last when full.</summary>
        private void Insert(ulong ord, nint slot, ref ulong droppedMin)
        {
            int position;
            if (_buffered == CandidateBuffer.Length)
            {
                EnumerationCandidate last = _candidates[CandidateBuffer.Length - 1];
                if (!Precedes(ord, slot, last))
                {
                    droppedMin = Math.Min(droppedMin, ord);
                    return;
                }

                droppedMin = Math.Min(droppedMin, last.Hash);
                position = CandidateBuffer.Length - 1;
            }
            else
            {
                position = _buffered++;
            }

            while (position > 0 && Precedes(ord, slot, _candidates[position - 1]))
            {
                _candidates[position] = _candidates[position - 1];
                position--;
            }

            _candidates[position] = new EnumerationCandidate(ord, slot);
        }

        /// <summary>Sets <see cref="_tied"/>: neighbours with equal ords, and the last buffered entry when a dropped one shares its ord.</summary>
        private void MarkTies(ulong droppedMin)
        {
            for (int k = 1; k < _buffered; k++)
            {
                if (_candidates[k].Hash == _candidates[k - 1].Hash)
                {
                    _tied |= 3u << (k - 1);
                }
            }

            if (_candidates[_buffered - 1].Hash == droppedMin)
            {
                _tied |= 1u << (_buffered - 1);
            }
        }

        /// <summary>Whether the slot (ord, slot) comes before <paramref name="other"/>: by ord, then key bytes.</summary>
        private static bool Precedes(ulong ord, nint slot, EnumerationCandidate other)
        {
            if (ord != other.Hash)
            {
                return ord < other.Hash;
            }

            return KeyOfSlot(slot).SequenceCompareTo(KeyOfSlot(other.Slot)) < 0;
        }

        private static ReadOnlySpan<byte> KeyOfSlot(nint slot) =>
            BytesEntry.KeySpan(BytesBucket.Entry((byte*)(slot & ~(nint)7), (int)(slot & 7)));
    }
}
