using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Preparing the next array.
 *
 * Growth doubles the array. The heap hands the new one over zeroed and, when its pages are fresh, not yet resident, so
 * every page's first touch is a page fault in which the kernel zeroes it (about 1.5 us here). Incremental evacuation
 * touches the new array all over from the first write on (a write evacuates the old bucket it maps to, which sends
 * entries to two random places), so the faults bunch up in the first writes after the growth starts: measured growing
 * to 10 M longs, the first batch of 4,096 inserts after the growth to 2^21 buckets took 9,000-10,000 faults and 16-18 ms,
 * the slowest batch of the run (perf/README.md).
 *
 * So, for arrays of PrepareMinBytes and up, the map allocates the next array a little early, when the count enters the
 * last 1/PrepareWindowDivisor of the current capacity, and faults it in a few pages per insert (one byte written per OS
 * page: the page is zero and stays zero). By the time the growth starts the array is resident and the growth uses it.
 * Cost: inserts in the window take the general path and touch about one page each per six inserts (the same faults,
 * spread out); the array is held for the window, but the peak (old + new arrays at growth start) is unchanged. Anything
 * that changes the size other than that growth (a shrink, a rebuild, Clear, Dispose, the map emptying) frees it.
 */

public sealed unsafe partial class NativeMap<TKey, TValue>
{
    /// <summary>Next arrays smaller than this (1 MiB: 256 pages) are not prepared; their faults are too few to matter.</summary>
    private const long PrepareMinBytes = 1L << 20;

    /// <summary>The next array is prepared during the last 1/16 of a growth cycle.</summary>
    private const int PrepareWindowDivisor = 16;

    /// <summary>The array the next growth will use (2^(_b + 1) buckets, allocated zeroed), or null.</summary>
    private byte* _nextBuckets;

    /// <summary>Bytes of <see cref="_nextBuckets"/> faulted in so far.</summary>
    private nuint _prefaulted;

    /// <summary>Whether a next array is being prepared (for tests).</summary>
    internal bool IsPreparingNextArray => _nextBuckets != null;

    /// <summary>The count from which inserts prepare the next array, for a map of 2^<paramref name="b"/> buckets.</summary>
    private static int PrepareAt(int b)
    {
        if ((long)BucketLayout<TKey, TValue>.ArrayBytes(b + 1) < PrepareMinBytes || b >= MaxBucketShift)
        {
            return int.MaxValue;
        }

        int capacity = CapacityOf(b);
        return capacity - (capacity / PrepareWindowDivisor);
    }

    /// <summary>
    /// Allocates the next array if need be and faults in this insert's share of it. Called by inserts of new keys in
    /// the window, with no resize in progress. Never throws: the preparation is an optimisation.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // once per insert in the last 1/16 of a growth cycle
    private void PrepareNextArray()
    {
        if (_nextBuckets == null)
        {
            try
            {
                _nextBuckets = AllocateArray(_b + 1);
            }
            catch (OutOfMemoryException)
            {
                return; // the growth will try again, and fault its pages as it goes
            }

            _prefaulted = 0;
        }

        nuint total = BucketLayout<TKey, TValue>.ArrayBytes(_b + 1);
        if (_prefaulted >= total)
        {
            return;
        }

        // Spread the array over the inserts of the window (at least one page each), so it is resident when it is needed.
        nuint page = (nuint)Environment.SystemPageSize;
        nuint window = (nuint)Math.Max(1, CapacityOf(_b) / PrepareWindowDivisor);
        nuint stride = ((total / window) + page) & ~(page - 1);
        nuint end = Math.Min(total, _prefaulted + stride);
        for (; _prefaulted < end; _prefaulted += page)
        {
            Volatile.Write(ref _nextBuckets[_prefaulted], 0);
        }
    }

    /// <summary>Takes the prepared array for a growth to 2^<paramref name="newB"/> buckets, or frees it when it does not fit.</summary>
    private byte* TakeNextArray(int newB)
    {
        byte* array = _nextBuckets;
        if (array != null && newB != _b + 1)
        {
            FreeNextArray();
            return null;
        }

        _nextBuckets = null;
        _prefaulted = 0;
        return array;
    }

    private void FreeNextArray()
    {
        if (_nextBuckets != null)
        {
            _heap.Free(_nextBuckets);
            _nextBuckets = null;
            _prefaulted = 0;
        }
    }
}
