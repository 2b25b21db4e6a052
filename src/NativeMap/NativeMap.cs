using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NativeMap.Allocator;

namespace NativeMap;

/// <summary>
/// A hash map for unmanaged keys and values whose every byte lives in a <see cref="SpanHeap"/>, outside the GC heap:
/// Go's map design (8-slot buckets with tophash bytes, overflow chains, incremental evacuation) plus incremental
/// shrinking, per-map seeded hashing, and eager return of memory to the heap.
/// </summary>
/// <typeparam name="TKey">The key type. Equality and hashing follow <see cref="EqualityComparer{T}.Default"/> (so
/// <c>-0.0</c> and <c>0.0</c> are one key and <c>NaN</c> finds <c>NaN</c>) or the comparer given at construction.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// <para>Semantics follow <see cref="Dictionary{TKey, TValue}"/>: <see cref="Add"/> of an existing key throws
/// <see cref="ArgumentException"/>, the indexer's getter throws <see cref="KeyNotFoundException"/> for a missing key,
/// <see cref="Remove(TKey)"/> and value overwrites are allowed while enumerating, adding a key invalidates enumerators.
/// Every entry present when an enumeration starts and not removed during it is yielded exactly once, also while the
/// map grows or shrinks.</para>
/// <para>Not thread-safe for writers. Concurrent readers with no writer are safe. A write that overlaps another
/// operation is detected on a best-effort basis and throws <see cref="InvalidOperationException"/>.</para>
/// <para>Growth is incremental: no single insert rehashes the whole map. When removals leave the map sparse it shrinks
/// the same way and returns the old bucket array to the heap. Dispose the map to return its memory at once; a map that
/// is never disposed is freed by its finalizer.</para>
/// </remarks>
public sealed unsafe partial class NativeMap<TKey, TValue> : IDictionary<TKey, TValue>, IReadOnlyDictionary<TKey, TValue>, IDisposable
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Creates an empty map on <see cref="SpanHeap.Shared"/>. No memory is allocated until the first insert.</summary>
    public NativeMap()
        : this(0, null, null)
    {
    }

    /// <summary>Creates a map that holds <paramref name="capacity"/> entries without growing, on <see cref="SpanHeap.Shared"/>.</summary>
    /// <param name="capacity">Entries to make room for. The map will not shrink below this capacity until <see cref="TrimExcess"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public NativeMap(int capacity)
        : this(capacity, null, null)
    {
    }

    /// <summary>Creates a map that holds <paramref name="capacity"/> entries without growing, allocating from <paramref name="heap"/>.</summary>
    /// <param name="capacity">Entries to make room for. The map will not shrink below this capacity until <see cref="TrimExcess"/>.</param>
    /// <param name="heap">The heap that supplies every byte of the map.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="heap"/> is null.</exception>
    public NativeMap(int capacity, SpanHeap heap)
        : this(capacity, null, heap ?? throw new ArgumentNullException(nameof(heap)))
    {
    }

    /// <summary>Creates a map with a capacity, a key comparer and a heap.</summary>
    /// <param name="capacity">Entries to make room for. The map will not shrink below this capacity until <see cref="TrimExcess"/>.</param>
    /// <param name="comparer">Key equality and hashing; null means <see cref="EqualityComparer{T}.Default"/>, which for
    /// primitive, enum and <see cref="Guid"/> keys, and for structs whose default equality is bit for bit (integer, bool,
    /// char and enum fields, no padding, no hand-written Equals), is replaced by full-width seeded hashing with the same
    /// equality. <see cref="BitwiseEqualityComparer{T}.Instance"/> opts any other non-floating-point key into that
    /// hashing, with byte equality.</param>
    /// <param name="heap">The heap that supplies every byte of the map; null means <see cref="SpanHeap.Shared"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="heap"/> is disposed.</exception>
    public NativeMap(int capacity, IEqualityComparer<TKey>? comparer, SpanHeap? heap = null)
        : this(capacity, comparer, heap, seedSource: null)
    {
    }

    /// <summary>For tests: hash seeds come from <paramref name="seedSource"/>, so that a randomised test replays exactly.</summary>
    internal NativeMap(int capacity, IEqualityComparer<TKey>? comparer, SpanHeap? heap, Random? seedSource)
    {
        if (capacity < 0)
        {
            ThrowHelper.ThrowCapacityNegative(nameof(capacity), capacity);
        }

        heap ??= SpanHeap.Shared;
        if (heap.IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        _heap = heap;
        _seedSource = seedSource;
        _comparer = comparer is null || ReferenceEquals(comparer, EqualityComparer<TKey>.Default) ? null : comparer;
        _defaultHashing = _comparer is null
            ? KeyHashing<TKey>.Kind != KeyKind.Comparer
            : _comparer is BitwiseEqualityComparer<TKey> && KeyHashing<TKey>.Kind is KeyKind.Bitwise or KeyKind.Comparer;
        _seed = HashSeed.Draw(_seedSource);
        _minB = BucketShiftFor(capacity);
        _b = _minB;
        if (capacity > 0)
        {
            _buckets = AllocateArray(_b);
        }

        RecomputeFastState();
    }

    /// <summary>Frees the map's memory if <see cref="Dispose"/> was never called. Never throws.</summary>
    ~NativeMap()
    {
        // The heap may have been disposed or finalized first (finalization order is undefined): its memory is then
        // already unmapped and there is nothing to free.
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
            // The heap rejected a pointer. Throwing from a finalizer would end the process; the heap stays consistent
            // because Free validates before it acts.
        }
    }

    /// <summary>The number of entries.</summary>
    public int Count => _count;

    /// <summary>The comparer used for keys (<see cref="EqualityComparer{T}.Default"/> when none was given).</summary>
    public IEqualityComparer<TKey> Comparer => _comparer ?? EqualityComparer<TKey>.Default;

    /// <summary>The heap the map allocates from.</summary>
    public SpanHeap Heap => _heap;

    /// <summary>The number of entries the map can hold before it next grows (6.5 per bucket, 8 for one bucket).</summary>
    public int Capacity => _buckets == null && _count == 0 && _b == 0 ? 0 : CapacityOf(_b);

    /// <summary>The keys, as a live view.</summary>
    public KeyCollection Keys => _keys ??= new KeyCollection(this);

    /// <summary>The values, as a live view.</summary>
    public ValueCollection Values => _values ??= new ValueCollection(this);

    ICollection<TKey> IDictionary<TKey, TValue>.Keys => Keys;

    ICollection<TValue> IDictionary<TKey, TValue>.Values => Values;

    IEnumerable<TKey> IReadOnlyDictionary<TKey, TValue>.Keys => Keys;

    IEnumerable<TValue> IReadOnlyDictionary<TKey, TValue>.Values => Values;

    bool ICollection<KeyValuePair<TKey, TValue>>.IsReadOnly => false;

    /// <summary>Gets or sets the value of a key. Setting adds the key or overwrites its value.</summary>
    /// <exception cref="KeyNotFoundException">Get: the key is not in the map.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public TValue this[TKey key]
    {
        get
        {
            TValue* value = FindValue(key);
            if (value == null)
            {
                ThrowHelper.ThrowKeyNotFound(key);
            }

            return *value;
        }

        set
        {
            if (CanTakeFastPath)
            {
                BeginFastWrite();
                TValue* slot = FindOrInsertFast(key, out _);
                if (slot != null)
                {
                    *slot = value;
                    EndFastWrite();
                    return;
                }

                _writing = false; // the general path takes over
            }

            SetGeneral(key, value);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SetGeneral(TKey key, TValue value)
    {
        BeginWrite();
        try
        {
            *FindOrInsert(key, out _) = value;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Adds a key and its value.</summary>
    /// <exception cref="ArgumentException">The key is already in the map (the map is unchanged).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Add(TKey key, TValue value)
    {
        if (!TryAdd(key, value))
        {
            ThrowHelper.ThrowDuplicateKey(key);
        }
    }

    /// <summary>Adds a key and its value unless the key is present.</summary>
    /// <returns>True when added; false when the key was present (its value is unchanged).</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryAdd(TKey key, TValue value)
    {
        if (CanTakeFastPath)
        {
            BeginFastWrite();
            TValue* slot = FindOrInsertFast(key, out bool exists);
            if (slot != null)
            {
                if (!exists)
                {
                    *slot = value;
                }

                EndFastWrite();
                return !exists;
            }

            _writing = false; // the general path takes over
        }

        return TryAddGeneral(key, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryAddGeneral(TKey key, TValue value)
    {
        BeginWrite();
        try
        {
            TValue* slot = FindOrInsert(key, out bool exists);
            if (exists)
            {
                return false;
            }

            *slot = value;
            return true;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Gets the value of a key.</summary>
    /// <returns>True when the key is present.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        TValue* slot = FindValue(key);
        if (slot != null)
        {
            value = *slot;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Whether the key is present.</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool ContainsKey(TKey key) => FindValue(key) != null;

    /// <summary>Whether some key has this value (a linear scan, compared with <see cref="EqualityComparer{T}.Default"/>).</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool ContainsValue(TValue value)
    {
        foreach (KeyValuePair<TKey, TValue> entry in this)
        {
            if (EqualityComparer<TValue>.Default.Equals(entry.Value, value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes a key. Allowed during enumeration.</summary>
    /// <returns>True when the key was present.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool Remove(TKey key)
    {
        if (CanTakeFastPath)
        {
            BeginFastWrite();
            bool removed = RemoveFast(key, null);
            EndFastWrite();
            return removed;
        }

        return RemoveGeneral(key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RemoveGeneral(TKey key)
    {
        if (_count == 0)
        {
            ThrowIfDisposed();
            return false;
        }

        BeginWrite();
        try
        {
            return RemoveCore(key, null);
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Removes a key and returns its value. Allowed during enumeration.</summary>
    /// <returns>True when the key was present.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        value = default;
        if (CanTakeFastPath)
        {
            BeginFastWrite();
            bool removed;
            fixed (TValue* result = &value)
            {
                removed = RemoveFast(key, result);
            }

            EndFastWrite();
            return removed;
        }

        return RemoveGeneral(key, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RemoveGeneral(TKey key, out TValue value)
    {
        if (_count == 0)
        {
            ThrowIfDisposed();
            value = default;
            return false;
        }

        value = default;
        BeginWrite();
        try
        {
            fixed (TValue* result = &value)
            {
                return RemoveCore(key, result);
            }
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>
    /// Removes every entry and returns the bucket arrays to the heap (the next insert allocates afresh, at the capacity
    /// given to the constructor or <see cref="EnsureCapacity"/>). The hash seed is drawn again.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Clear()
    {
        ThrowIfDisposed();
        if (_buckets == null)
        {
            return;
        }

        BeginWrite();
        try
        {
            ClearCore();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>
    /// Makes room for <paramref name="capacity"/> entries now, so that inserting up to that many does not grow the map,
    /// and keeps the map from shrinking below it until <see cref="TrimExcess"/>.
    /// </summary>
    /// <returns>The capacity now: at least <paramref name="capacity"/> (0 for an empty map asked for 0, like Dictionary).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public int EnsureCapacity(int capacity)
    {
        if (capacity < 0)
        {
            ThrowHelper.ThrowCapacityNegative(nameof(capacity), capacity);
        }

        ThrowIfDisposed();
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

    /// <summary>
    /// Shrinks the bucket array to fit <see cref="Count"/> now (finishing any growth or shrink in progress) and drops the
    /// capacity floor set by the constructor or <see cref="EnsureCapacity"/>. Invalidates enumerators.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void TrimExcess()
    {
        ThrowIfDisposed();
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

    /// <summary>
    /// A reference to the value of a key, or a null reference (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>)
    /// when the key is absent. Like <c>CollectionsMarshal.GetValueRefOrNullRef</c>: the reference points into the map's
    /// native memory and is valid only until the next write to the map (any write may move entries).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        TValue* value = FindValue(key);
        return ref value == null ? ref Unsafe.NullRef<TValue>() : ref *value;
    }

    /// <summary>
    /// A reference to the value of a key, adding the key with a default value when it is absent. Like
    /// <c>CollectionsMarshal.GetValueRefOrAddDefault</c>: the reference is valid only until the next write to the map.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="exists">True when the key was already present.</param>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        if (CanTakeFastPath)
        {
            BeginFastWrite();
            TValue* slot = FindOrInsertFast(key, out exists);
            if (slot != null)
            {
                if (!exists)
                {
                    *slot = default;
                }

                EndFastWrite();
                return ref *slot;
            }

            _writing = false; // the general path takes over
        }

        return ref GetValueRefOrAddDefaultGeneral(key, out exists);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue GetValueRefOrAddDefaultGeneral(TKey key, out bool exists)
    {
        BeginWrite();
        try
        {
            TValue* value = FindOrInsert(key, out exists);
            if (!exists)
            {
                *value = default;
            }

            return ref *value;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>An allocation-free enumerator of the entries.</summary>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public Enumerator GetEnumerator()
    {
        ThrowIfDisposed();
        return new Enumerator(this);
    }

    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    void ICollection<KeyValuePair<TKey, TValue>>.Add(KeyValuePair<TKey, TValue> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<TKey, TValue>>.Contains(KeyValuePair<TKey, TValue> item)
    {
        TValue* value = FindValue(item.Key);
        return value != null && EqualityComparer<TValue>.Default.Equals(*value, item.Value);
    }

    bool ICollection<KeyValuePair<TKey, TValue>>.Remove(KeyValuePair<TKey, TValue> item)
    {
        TValue* value = FindValue(item.Key);
        return value != null && EqualityComparer<TValue>.Default.Equals(*value, item.Value) && Remove(item.Key);
    }

    void ICollection<KeyValuePair<TKey, TValue>>.CopyTo(KeyValuePair<TKey, TValue>[] array, int arrayIndex)
    {
        CheckCopyTo(array, arrayIndex);
        foreach (KeyValuePair<TKey, TValue> entry in this)
        {
            array[arrayIndex++] = entry;
        }
    }

    /// <summary>
    /// Returns every byte of the map to its heap. Idempotent. Any later use of the map throws
    /// <see cref="ObjectDisposedException"/>. When the heap was disposed first, its memory is already gone and nothing
    /// is freed.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (!_heap.IsDisposed)
        {
            FreeAllMemory();
        }

        ResetToEmpty();
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"NativeMap<{typeof(TKey).Name}, {typeof(TValue).Name}>(Count = {_count})";

    internal void CheckCopyTo<T>(T[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfNegative(arrayIndex);
        if (arrayIndex > array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(arrayIndex), arrayIndex, "Index is past the end of the array.");
        }

        if (array.Length - arrayIndex < _count)
        {
            ThrowHelper.ThrowArgument("Destination array is not long enough to copy all the items in the collection.", nameof(array));
        }
    }
}
