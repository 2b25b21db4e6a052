using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NativeMap;

/*
 * Batch lookups and inserts with software prefetch.
 *
 * Over a map larger than the caches, one lookup is a chain of dependent cache misses (the bucket's tophash line, then
 * the line of the matching slot), and a loop of single lookups overlaps only as many of them as the out-of-order window
 * holds (a few). A batch knows its keys in advance: it hashes key i + Distance and prefetches its bucket while it
 * resolves key i, so that about Distance misses are in flight at once instead of a few. This is what no single-key API
 * can do, and what a cache server's MGET/MSET and a bulk load need.
 *
 * TryGetValues runs the prefetching loop when the inline lookup path may run (FastBuckets): it reads the same array,
 * mask and seed for the whole batch, which no other thread may change under it (a concurrent writer is misuse, as for
 * every read). Otherwise (a comparer, a resize in progress, an empty map) it looks the keys up one by one.
 *
 * SetValues has Dictionary's indexer semantics, key by key in order (a later duplicate wins). It first makes room for
 * the batch when that is cheap: an empty map (no entry to move) is given the array for count + batch at once, and a map
 * holding no more entries than the batch is rebuilt at that size (O(count), at most the batch's own cost), so a bulk
 * load into an empty map does not grow 20 times and move every entry again each time. A larger map grows incrementally
 * as usual: no call moves more entries than it inserts. Room is not a capacity floor (EnsureCapacity sets one): a map
 * given room for duplicates that never came can shrink after removes like any other. The inserts then prefetch every
 * line of the bucket each key will write, Distance keys ahead.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>
    /// Keys hashed and prefetched ahead of the one being resolved. Zen 3 keeps 24 L1 misses in flight (more in L2); 16
    /// leaves room for the second line of each hit. Measured in <see cref="TryGetValues"/>' remarks.
    /// </summary>
    internal const int PrefetchDistance = 16;

    /// <summary>
    /// Looks up every key of <paramref name="keys"/>: <c>values[i]</c> gets the value of <c>keys[i]</c> (or the default
    /// value) and <c>found[i]</c> whether it is present. Hashes keys ahead and prefetches their buckets, so that the cache
    /// misses of many lookups overlap: faster than a loop of <see cref="TryGetValue"/> over a map larger than the caches.
    /// </summary>
    /// <param name="keys">The keys to look up (duplicates allowed).</param>
    /// <param name="values">Receives the values; at least as long as <paramref name="keys"/>.</param>
    /// <param name="found">Receives whether each key is present; at least as long as <paramref name="keys"/>.</param>
    /// <returns>The number of keys found.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> or <paramref name="found"/> is shorter than <paramref name="keys"/>.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public int TryGetValues(ReadOnlySpan<TKey> keys, Span<TValue> values, Span<bool> found)
    {
        if (values.Length < keys.Length)
        {
            ThrowHelper.ThrowArgument("The values span is shorter than the keys span.", nameof(values));
        }

        if (found.Length < keys.Length)
        {
            ThrowHelper.ThrowArgument("The found span is shorter than the keys span.", nameof(found));
        }

        byte* buckets = FastBuckets;
        if (buckets == null || keys.Length < PrefetchDistance)
        {
            return TryGetValuesOneByOne(keys, values, found);
        }

        nuint mask = _fastMask;
        HashSeed seed = _seed;
        ulong* hashes = stackalloc ulong[PrefetchDistance];
        for (int i = 0; i < PrefetchDistance; i++)
        {
            ulong hash = KeyHashing<TKey>.HashDefault(keys[i], seed);
            hashes[i] = hash;
            Prefetch(BucketLayout<TKey, TValue>.At(buckets, (nuint)hash & mask));
        }

        int hits = 0;
        int n = keys.Length;
        for (int i = 0; i < n; i++)
        {
            ulong* slot = hashes + (i & (PrefetchDistance - 1));
            ulong hash = *slot;
            if (i + PrefetchDistance < n)
            {
                ulong ahead = KeyHashing<TKey>.HashDefault(keys[i + PrefetchDistance], seed);
                *slot = ahead;
                Prefetch(BucketLayout<TKey, TValue>.At(buckets, (nuint)ahead & mask));
            }

            TValue* value = SearchChain(BucketLayout<TKey, TValue>.At(buckets, (nuint)hash & mask), TopHash.Of(hash), keys[i], defaultEquality: true);
            hits += Deliver(value, out values[i], out found[i]);
        }

        return hits;
    }

    /// <summary>
    /// Sets the value of every key of <paramref name="keys"/> to the value at the same index of <paramref name="values"/>,
    /// adding the keys that are absent, as the indexer's setter would key by key (a later duplicate wins). Makes room for
    /// the batch first when the map is empty or holds no more entries than the batch, and prefetches the buckets it will
    /// write ahead of writing them: faster than a loop of the indexer, above all into an empty map.
    /// </summary>
    /// <param name="keys">The keys.</param>
    /// <param name="values">The values, as many as there are keys.</param>
    /// <exception cref="ArgumentException"><paramref name="keys"/> and <paramref name="values"/> differ in length.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <remarks>Not atomic: if a comparer throws, the keys before the one that threw have been set.</remarks>
    public void SetValues(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values)
    {
        if (keys.Length != values.Length)
        {
            ThrowHelper.ThrowArgument("The keys and values spans differ in length.", nameof(values));
        }

        ThrowIfDisposed();
        if (keys.Length == 0)
        {
            return;
        }

        MakeRoomFor(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            byte* buckets = FastBuckets;
            if (buckets != null && i + PrefetchDistance < keys.Length)
            {
                ulong ahead = KeyHashing<TKey>.HashDefault(keys[i + PrefetchDistance], _seed);
                PrefetchBucket(BucketLayout<TKey, TValue>.At(buckets, (nuint)ahead & _fastMask));
            }

            this[keys[i]] = values[i];
        }
    }

    private int TryGetValuesOneByOne(ReadOnlySpan<TKey> keys, Span<TValue> values, Span<bool> found)
    {
        ThrowIfDisposed();
        int hits = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            hits += Deliver(FindValue(keys[i]), out values[i], out found[i]);
        }

        return hits;
    }

    /// <summary>Writes one lookup's result (the value or the default, and whether found); returns 1 for a hit, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Deliver(TValue* value, out TValue destination, out bool found)
    {
        found = value != null;
        destination = found ? *value : default!;
        return found ? 1 : 0;
    }

    /// <summary>
    /// Gives the map the array size <see cref="Count"/> + <paramref name="batch"/> entries need, when that costs no more
    /// than the batch: an empty map gets it at once, a map of at most <paramref name="batch"/> entries is rebuilt into it.
    /// </summary>
    private void MakeRoomFor(int batch)
    {
        int needB = BucketShiftFor((int)Math.Min(int.MaxValue, (long)_count + batch));
        if (needB <= _b || _count > batch)
        {
            return;
        }

        BeginWrite();
        try
        {
            if (_count == 0 && _oldBuckets == null)
            {
                // Nothing to move: drop the empty array (if any) and let the first insert allocate the right size.
                if (_buckets != null)
                {
                    FreeArrayWithChains(_buckets, _b);
                    _buckets = null;
                    _noverflow = 0;
                }

                _b = needB;
                AllocateFirstArray();
            }
            else
            {
                Rebuild(needB);
            }

            _version++;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Asks for the first cache line of a bucket (its tophash bytes and overflow pointer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* bucket)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(bucket);
        }
    }

    /// <summary>Asks for every cache line of a bucket (an insert writes its tophash line and its slot's line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchBucket(byte* bucket) => TopHash.PrefetchAll(bucket, BucketLayout<TKey, TValue>.BucketSize);
}
