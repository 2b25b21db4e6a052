using System.Buffers;
using System.Collections;
using NativeMap.Allocator;

namespace NativeMap;

/// <summary>
/// A hash map from byte strings to byte strings whose every byte — table, keys and values — lives in a
/// <see cref="SpanHeap"/>, outside the GC heap: Go's map design (8-slot buckets with tophash bytes, overflow chains,
/// incremental growth) plus incremental shrinking, with each entry in a heap block of its own.
/// </summary>
/// <remarks>
/// <para>Keys compare byte for byte. Keys and values may be empty and may hold any bytes; each may be up to 512 MiB
/// (<see cref="MaxLength"/>); a longer one is refused with <see cref="ArgumentException"/> before anything is
/// allocated. No operation allocates managed memory (the <see cref="string"/> overloads encode the key into a stack
/// buffer, or a pooled array for keys over 512 UTF-8 bytes).</para>
/// <para>No member hands out a span into the map's native memory that outlives the call: values are copied out (into a
/// span, or an <see cref="IBufferWriter{T}"/>), and the one callback API, <see cref="TryRead{TState}"/>, passes a span
/// that is valid only during the callback, during which the map refuses writes.</para>
/// <para>A write that runs out of memory throws <see cref="OutOfMemoryException"/> and leaves every entry as it was.</para>
/// <para>Not thread-safe for writers (use <see cref="ConcurrentNativeBytesMap"/> for that). Concurrent readers with no
/// writer are safe. A write that overlaps another operation is detected on a best-effort basis and throws
/// <see cref="InvalidOperationException"/>. Dispose the map to return its memory at once; a map that is never disposed
/// is freed by its finalizer.</para>
/// </remarks>
public sealed unsafe partial class NativeBytesMap : IEnumerable<NativeBytesMap.Entry>, IDisposable
{
    /// <summary>The longest key or value accepted: 512 MiB, as in Redis.</summary>
    public const int MaxLength = BytesEntry.MaxLength;

    /// <summary>Readers inside a <see cref="TryRead{TState}"/> callback (writes are refused while it is not zero).</summary>
    private int _callbackDepth;

    /// <summary>Creates an empty map on <see cref="SpanHeap.Shared"/>. No memory is allocated until the first insert.</summary>
    public NativeBytesMap()
        : this(new NativeBytesMapOptions())
    {
    }

    /// <summary>Creates a map that holds <paramref name="capacity"/> entries without growing, allocating from <paramref name="heap"/>.</summary>
    /// <param name="capacity">Entries to make room for. The map will not shrink below this capacity until <see cref="TrimExcess"/>.</param>
    /// <param name="heap">The heap that supplies every byte of the map.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="heap"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="heap"/> is disposed.</exception>
    public NativeBytesMap(int capacity, SpanHeap heap)
        : this(new NativeBytesMapOptions { Capacity = capacity, Heap = heap ?? throw new ArgumentNullException(nameof(heap)) })
    {
    }

    /// <summary>Creates a map with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public NativeBytesMap(NativeBytesMapOptions options)
        : this(options ?? throw new ArgumentNullException(nameof(options)), seedSource: null, fixedSeed: null, hashMask: ulong.MaxValue)
    {
    }

    /// <summary>
    /// For the concurrent store and tests: <paramref name="fixedSeed"/> makes the map hash with a seed it never
    /// changes (a store's shards share the store's seed); <paramref name="seedSource"/> replays a randomised test;
    /// <paramref name="hashMask"/> narrows every hash so that keys collide on purpose.
    /// </summary>
    internal NativeBytesMap(NativeBytesMapOptions options, Random? seedSource, long? fixedSeed, ulong hashMask)
    {
        options.Validate();
        SpanHeap heap = options.Heap ?? SpanHeap.Shared;
        if (heap.IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        _heap = heap;
        _seedSource = seedSource;
        _fixedSeed = fixedSeed.HasValue;
        _seed = fixedSeed ?? DrawSeed(seedSource);
        _hashMask = hashMask;
        _compactionOptions = options.Compaction;
        _mover = new HeapBlockMover(heap);
        _compactCountdown = _compactionOptions.CheckInterval;
        _minB = BucketShiftFor(options.Capacity);
        _b = _minB;
        if (options.Capacity > 0)
        {
            _buckets = AllocateArray(_b);
        }
    }

    /// <summary>Frees the map's memory if <see cref="Dispose"/> was never called. Never throws.</summary>
    ~NativeBytesMap()
    {
        // The heap may have been disposed or finalized first: its memory is then already unmapped.
        if (_disposed || _heap is null || _heap.IsDisposed)
        {
            return;
        }

        try
        {
            FreeAllMemory();
        }
        catch (ObjectDisposedException)
        {
            // The heap was disposed between the check and the free: its memory is gone already.
        }
        catch (ArgumentException)
        {
            // The heap rejected a pointer; throwing from a finalizer would end the process.
        }
    }

    /// <summary>The number of entries.</summary>
    public int Count => _count;

    /// <summary>The sum of the lengths of all keys.</summary>
    public long KeyBytes => _keyBytes;

    /// <summary>The sum of the lengths of all values.</summary>
    public long ValueBytes => _valueBytes;

    /// <summary>
    /// Bytes of heap blocks the map holds: its entry blocks (each rounded up to its size class), bucket arrays (two
    /// while a resize is in progress) and overflow buckets. What the heap has to hold for this map, excluding the
    /// free space in partly used spans.
    /// </summary>
    public long HeapBytes
    {
        get
        {
            long bytes = _entryBlockBytes + ((long)(_noverflow + _oldNoverflow) * BytesBucket.Size);
            if (_buckets != null)
            {
                bytes += BytesEntry.BlockSize(BytesBucket.ArrayBytes(_b));
            }

            if (_oldBuckets != null)
            {
                bytes += BytesEntry.BlockSize(BytesBucket.ArrayBytes(_oldB));
            }

            return bytes;
        }
    }

    /// <summary>The heap the map allocates from.</summary>
    public SpanHeap Heap => _heap;

    /// <summary>The number of entries the map can hold before it next grows (6.5 per bucket, 8 for one bucket).</summary>
    public int Capacity => _buckets == null && _b == 0 ? 0 : CapacityOf(_b);

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Sets the value of <paramref name="key"/>, adding the key or overwriting its value.</summary>
    /// <exception cref="ArgumentException">The key or the value is longer than <see cref="MaxLength"/> (the map is unchanged).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var source = new SpanValueSource(value);
        Write(key, ref source, SetMode.Upsert);
    }

    /// <summary>Sets the value of <paramref name="key"/> from a sequence (for example from a <c>PipeReader</c>), copied
    /// segment by segment; adds the key or overwrites its value.</summary>
    /// <exception cref="ArgumentException">The key or the value is longer than <see cref="MaxLength"/> (the map is unchanged).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public void Set(ReadOnlySpan<byte> key, in ReadOnlySequence<byte> value)
    {
        var source = new SequenceValueSource(value);
        Write(key, ref source, SetMode.Upsert);
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> when the key is absent.</summary>
    /// <returns>True when added; false when the key was present (its value is unchanged).</returns>
    /// <exception cref="ArgumentException">The key or the value is longer than <see cref="MaxLength"/> (the map is unchanged).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var source = new SpanValueSource(value);
        return Write(key, ref source, SetMode.AddOnly);
    }

    /// <summary>Adds <paramref name="key"/> with a value from a sequence when the key is absent.</summary>
    /// <returns>True when added; false when the key was present (its value is unchanged).</returns>
    /// <exception cref="ArgumentException">The key or the value is longer than <see cref="MaxLength"/> (the map is unchanged).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public bool TryAdd(ReadOnlySpan<byte> key, in ReadOnlySequence<byte> value)
    {
        var source = new SequenceValueSource(value);
        return Write(key, ref source, SetMode.AddOnly);
    }

    private bool Write<TSource>(ReadOnlySpan<byte> key, scoped ref TSource source, SetMode mode)
        where TSource : IValueSource, allows ref struct
    {
        CheckLengths(key.Length, source.Length);
        BeginWrite();
        try
        {
            return SetCore(key, Hash(key), ref source, default, mode);
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a key or value is over the limit (before anything is allocated).</summary>
    internal static void CheckLengths(int keyLength, long valueLength)
    {
        if (keyLength > MaxLength)
        {
            BytesThrowHelper.ThrowKeyTooLong(keyLength, "key");
        }

        if ((ulong)valueLength > MaxLength)
        {
            BytesThrowHelper.ThrowValueTooLong(valueLength, "value");
        }
    }

    /// <summary>
    /// Copies the value of <paramref name="key"/> into <paramref name="destination"/> (for example a <c>PipeWriter</c>),
    /// in chunks of at most 4 KiB requested per <see cref="IBufferWriter{T}.GetSpan"/> call.
    /// </summary>
    /// <returns>True when the key was found and its value written; false when it is absent (nothing is written).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">A write is in progress, or the destination wrote to the map while
    /// the value was being copied into it (the copy is abandoned part way; the map is consistent).</exception>
    public bool TryGetValue(ReadOnlySpan<byte> key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnterRead();
        byte* entry = FindEntry(key, Hash(key));
        if (entry == null)
        {
            return false;
        }

        CopyValue(entry, 0, destination);
        return true;
    }

    /// <summary>The size of the chunks <see cref="CopyValue"/> asks a writer for: a pipe's default segment.</summary>
    private const int WriterChunk = 4096;

    /// <summary>Copies the value of <paramref name="entry"/> from byte <paramref name="skip"/> on into a writer.</summary>
    internal void CopyValue(byte* entry, int skip, IBufferWriter<byte> destination) => CopyBytes(entry, key: false, skip, destination);

    /// <summary>
    /// Copies the key or the value of <paramref name="entry"/>, from byte <paramref name="skip"/> on, into a writer. The
    /// writer is user code that might write to the map, so after each of its calls the write stamp is checked before
    /// the entry is read again.
    /// </summary>
    internal void CopyBytes(byte* entry, bool key, int skip, IBufferWriter<byte> destination)
    {
        int stamp = _writeStamp;
        int length = (key ? BytesEntry.KeyLength(entry) : BytesEntry.ValueLength(entry)) - skip;
        for (int offset = 0; offset < length;)
        {
            Span<byte> span = destination.GetSpan(Math.Min(length - offset, WriterChunk));
            if (_writeStamp != stamp || _disposed)
            {
                BytesThrowHelper.ThrowModifiedDuringRead();
            }

            int n = Math.Min(span.Length, length - offset);
            byte* start = key ? BytesEntry.Key(entry) : BytesEntry.Value(entry);
            new ReadOnlySpan<byte>(start + skip + offset, n).CopyTo(span);
            destination.Advance(n);
            offset += n;
        }
    }

    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="destination"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Where the value goes.</param>
    /// <param name="written">The value's length when it was copied; 0 otherwise.</param>
    /// <returns>True when the key was found and its value fitted; false when the key is absent or the value is longer
    /// than <paramref name="destination"/> (nothing is copied; <see cref="TryGetLength(ReadOnlySpan{byte}, out int)"/>
    /// tells how much room it needs).</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">A write is in progress.</exception>
    public bool TryCopyValue(ReadOnlySpan<byte> key, Span<byte> destination, out int written)
    {
        EnterRead();
        byte* entry = FindEntry(key, Hash(key));
        written = 0;
        if (entry == null)
        {
            return false;
        }

        ReadOnlySpan<byte> value = BytesEntry.ValueSpan(entry);
        if (!value.TryCopyTo(destination))
        {
            return false;
        }

        written = value.Length;
        return true;
    }

    /// <summary>The length of the value of <paramref name="key"/>.</summary>
    /// <returns>True when the key was found.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">A write is in progress.</exception>
    public bool TryGetLength(ReadOnlySpan<byte> key, out int length)
    {
        EnterRead();
        byte* entry = FindEntry(key, Hash(key));
        length = entry == null ? 0 : BytesEntry.ValueLength(entry);
        return entry != null;
    }

    /// <summary>Whether the map holds <paramref name="key"/>.</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">A write is in progress.</exception>
    public bool ContainsKey(ReadOnlySpan<byte> key)
    {
        EnterRead();
        return FindSlot(key, Hash(key)) != null;
    }

    /// <summary>
    /// Calls <paramref name="reader"/> with the value of <paramref name="key"/>, without copying it.
    /// </summary>
    /// <remarks>
    /// What it guarantees: the span passed to <paramref name="reader"/> is the value's bytes in the map's native memory,
    /// valid during the call and never after (do not keep it, or anything made from it without copying). During the
    /// call the map refuses every write, from any thread, with <see cref="InvalidOperationException"/> (so the callback
    /// cannot free what it is reading), and <see cref="Dispose"/> too; reads, including other
    /// <see cref="TryRead{TState}"/> calls, may run. An exception from the callback propagates; the map is unchanged.
    /// </remarks>
    /// <typeparam name="TState">The state passed to the callback (a ref struct may carry <c>ref</c> fields for results).</typeparam>
    /// <returns>True when the key was found and the callback ran.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">A write is in progress.</exception>
    public bool TryRead<TState>(ReadOnlySpan<byte> key, TState state, ReadOnlySpanAction<byte, TState> reader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        Interlocked.Increment(ref _callbackDepth);
        try
        {
            EnterRead();
            byte* entry = FindEntry(key, Hash(key));
            if (entry == null)
            {
                return false;
            }

            reader(BytesEntry.ValueSpan(entry), state);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _callbackDepth);
        }
    }

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <returns>True when the key was found and removed.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        BeginWrite();
        try
        {
            return RemoveCore(key, Hash(key));
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Removes <paramref name="key"/>, first copying its value into <paramref name="destination"/> (Redis's GETDEL).</summary>
    /// <returns>True when the key was found, its value written and the key removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress, or the destination used the map (the
    /// key is then not removed).</exception>
    public bool Remove(ReadOnlySpan<byte> key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        BeginWrite();
        try
        {
            ulong hash = Hash(key);
            byte* entry = FindEntry(key, hash);
            if (entry == null)
            {
                return false;
            }

            // The write flag is set, so a destination that touches the map throws before anything moves.
            CopyValue(entry, 0, destination);
            return RemoveCore(key, hash);
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Removes every entry and returns all memory to the heap. Invalidates enumerators.</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public void Clear()
    {
        BeginWrite();
        try
        {
            _version++;
            ClearCore();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> entries without growing, and keeps the map from shrinking
    /// below that until <see cref="TrimExcess"/>. Resizes now (not incrementally) when the map must grow.</summary>
    /// <returns>The new <see cref="Capacity"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public int EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        BeginWrite();
        try
        {
            EnsureCapacityCore(capacity);
        }
        finally
        {
            EndWrite();
        }

        return Capacity;
    }

    /// <summary>Shrinks the bucket array to fit <see cref="Count"/> now and drops the capacity floor. Invalidates enumerators.</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public void TrimExcess()
    {
        BeginWrite();
        try
        {
            TrimExcessCore();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>An allocation-free enumerator of the entries (see <see cref="Enumerator"/> for what writes it allows).</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public Enumerator GetEnumerator()
    {
        ThrowIfDisposed();
        return new Enumerator(this);
    }

    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Returns every byte of the map to its heap. Idempotent. Any later use throws <see cref="ObjectDisposedException"/>.
    /// When the heap was disposed first, its memory is already gone and nothing is freed.
    /// </summary>
    /// <exception cref="InvalidOperationException">A write or a <see cref="TryRead{TState}"/> callback is in progress.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        BeginWrite();
        try
        {
            if (!_heap.IsDisposed)
            {
                FreeAllMemory();
            }

            ResetToEmpty();
            _disposed = true;
        }
        finally
        {
            _writing = false;
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"NativeBytesMap(Count = {_count})";
}
