using System.Buffers;
using System.Text;

namespace NativeMap;

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>
    /// An entry yielded by the <see cref="Enumerator"/>: reads its key and value by copying them out, never by handing out
    /// the map's memory.
    /// </summary>
    /// <remarks>
    /// An entry may be read until the map next frees or moves an entry block (a remove, an overwrite that changes the
    /// value's size class, <see cref="Clear"/>, compaction), or while any write is in progress; after that every member
    /// throws <see cref="InvalidOperationException"/> rather than read memory that may be gone. Read what you need
    /// before you write. Overwrites that keep the size class change the value in place, and reads see the new value.
    /// </remarks>
    public readonly struct Entry
    {
        private readonly NativeBytesMap? _map;
        private readonly byte* _entry;
        private readonly int _entryEpoch;

        internal Entry(NativeBytesMap map, byte* entry)
        {
            _map = map;
            _entry = entry;
            _entryEpoch = map._entryEpoch;
        }

        /// <summary>The key's length in bytes.</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read (see the remarks on <see cref="Entry"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public int KeyLength => BytesEntry.KeyLength(Checked());

        /// <summary>The value's length in bytes.</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public int ValueLength => BytesEntry.ValueLength(Checked());

        /// <summary>Copies the key into <paramref name="destination"/>; false (nothing copied) when it does not fit.</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public bool TryCopyKey(Span<byte> destination, out int written)
        {
            ReadOnlySpan<byte> key = BytesEntry.KeySpan(Checked());
            written = key.TryCopyTo(destination) ? key.Length : 0;
            return written == key.Length;
        }

        /// <summary>Copies the value into <paramref name="destination"/>; false (nothing copied) when it does not fit.</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public bool TryCopyValue(Span<byte> destination, out int written)
        {
            ReadOnlySpan<byte> value = BytesEntry.ValueSpan(Checked());
            written = value.TryCopyTo(destination) ? value.Length : 0;
            return written == value.Length;
        }

        /// <summary>Writes the key into <paramref name="destination"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
        /// <exception cref="InvalidOperationException">The entry can no longer be read, or the destination wrote to the map.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public void WriteKey(IBufferWriter<byte> destination)
        {
            ArgumentNullException.ThrowIfNull(destination);
            _map!.CopyBytes(Checked(), key: true, 0, destination);
        }

        /// <summary>Writes the value into <paramref name="destination"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
        /// <exception cref="InvalidOperationException">The entry can no longer be read, or the destination wrote to the map.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public void WriteValue(IBufferWriter<byte> destination)
        {
            ArgumentNullException.ThrowIfNull(destination);
            _map!.CopyBytes(Checked(), key: false, 0, destination);
        }

        /// <summary>Whether the key equals <paramref name="other"/> byte for byte.</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public bool KeyEquals(ReadOnlySpan<byte> other) => BytesEntry.KeyEquals(Checked(), other);

        /// <summary>A new array holding the key (allocates; the copy methods do not).</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public byte[] KeyToArray() => BytesEntry.KeySpan(Checked()).ToArray();

        /// <summary>A new array holding the value (allocates; the copy methods do not).</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public byte[] ValueToArray() => BytesEntry.ValueSpan(Checked()).ToArray();

        /// <summary>The key decoded as UTF-8 (invalid sequences become U+FFFD; allocates).</summary>
        /// <exception cref="InvalidOperationException">The entry can no longer be read.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
        public string KeyToString() => Encoding.UTF8.GetString(BytesEntry.KeySpan(Checked()));

        /// <summary>The entry, validated: the map is alive, not being written, and has freed or moved no entry since.</summary>
        private byte* Checked()
        {
            NativeBytesMap? map = _map;
            if (map is null)
            {
                ThrowHelper.ThrowNotSupported("A default NativeBytesMap.Entry refers to no entry.");
            }

            if (map._disposed)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(NativeBytesMap));
            }

            if (map._entryEpoch != _entryEpoch || map._writing)
            {
                BytesThrowHelper.ThrowStaleEntry();
            }

            return _entry;
        }
    }
}
