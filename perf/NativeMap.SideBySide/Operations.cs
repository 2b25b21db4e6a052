using System.Diagnostics;

namespace NativeMap.SideBySide;

/// <summary>What one run of one map measured: nanoseconds per operation, the slowest insert batch, and checksums
/// that the two maps must agree on.</summary>
public sealed record RunResult(
    double InsertNs,
    double HitOrderedNs,
    double HitShuffledNs,
    double MissNs,
    double DeleteNs,
    double SlowestBatchMs,
    double BatchHitNs,
    double BulkLoadNs,
    ulong Checksum);

/// <summary>The timed loops, written once for both maps.</summary>
public static class Operations
{
    /// <summary>Inserts are timed in batches of this many (the "slowest 4,096-insert batch").</summary>
    public const int InsertBatch = 4096;

    /// <summary>Keys per TryGetValues call in the batch-lookup phase (the "windows of 64+").</summary>
    public const int LookupWindow = 64;

    /// <summary>
    /// One run: insert every key into an empty map (no capacity hint; every batch of 4,096 timed), look every key up in
    /// insertion order and shuffled, then shuffled again in batches of <see cref="LookupWindow"/>, look up as many
    /// absent keys, then delete every key in shuffled order. Last, a bulk load: every key into a second empty map in one
    /// SetValues call. Dictionary's batch calls are loops of its single-key calls: the batch columns compare NativeMap's
    /// batch calls with what a Dictionary user writes.
    /// </summary>
    public static RunResult Run<TMap>(Func<TMap> create, KeySet keys)
        where TMap : struct, IUlongMap
    {
        TMap map = create();
        ulong checksum = 0;
        double insert, slowest, hitOrdered, hitShuffled, batchHit, miss, delete;
        bool batchesAgree;
        try
        {
            (insert, slowest) = Insert(map, keys.Present);
            checksum = Combine(checksum, (ulong)map.Count);
            (hitOrdered, ulong sum1) = Lookups(map, keys.Present);
            (hitShuffled, ulong sum2) = Lookups(map, keys.Shuffled);
            (batchHit, ulong sum4) = BatchLookups(map, keys.Shuffled);
            (miss, ulong sum3) = Lookups(map, keys.Absent);
            checksum = Combine(Combine(Combine(checksum, sum1), sum2), sum3);
            batchesAgree = sum4 == sum2; // the batch phase finds what the single-key shuffled phase found
            (delete, int removed) = Deletes(map, keys.Shuffled);
            checksum = Combine(Combine(checksum, (ulong)removed), (ulong)map.Count);
        }
        finally
        {
            map.Dispose();
        }

        TMap bulk = create();
        try
        {
            (double bulkLoad, ulong sum5) = BulkLoad(bulk, keys.Present);
            batchesAgree &= sum5 == (ulong)keys.Count;

            // The checksum covers the single-key phases only, so that it stays the one the C++ reference program
            // (perf/NativeMap.AbseilReference) prints; batches that disagree with them spoil it.
            checksum = batchesAgree ? checksum : ~checksum;
            return new RunResult(insert, hitOrdered, hitShuffled, miss, delete, slowest, batchHit, bulkLoad, checksum);
        }
        finally
        {
            bulk.Dispose();
        }
    }

    /// <summary>TryGetValues over windows of <see cref="LookupWindow"/> keys; returns ns per key and the sum of the values plus hits.</summary>
    public static (double NsPerOp, ulong Sum) BatchLookups<TMap>(TMap map, ulong[] keys)
        where TMap : struct, IUlongMap
    {
        var values = new ulong[LookupWindow];
        var found = new bool[LookupWindow];
        ulong sum = 0;
        long start = Stopwatch.GetTimestamp();
        for (int from = 0; from < keys.Length; from += LookupWindow)
        {
            int length = Math.Min(LookupWindow, keys.Length - from);
            sum += (ulong)map.TryGetValues(keys.AsSpan(from, length), values, found);
            for (int i = 0; i < length; i++)
            {
                sum += values[i];
            }
        }

        return (NsPerOp(Stopwatch.GetTimestamp() - start, keys.Length), sum);
    }

    /// <summary>Sets <c>keys[i] = i</c> for every key in one SetValues call into an empty map; returns ns per key and the count.</summary>
    public static (double NsPerOp, ulong Count) BulkLoad<TMap>(TMap map, ulong[] keys)
        where TMap : struct, IUlongMap
    {
        var values = new ulong[keys.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (ulong)i;
        }

        long start = Stopwatch.GetTimestamp();
        map.SetValues(keys, values);
        return (NsPerOp(Stopwatch.GetTimestamp() - start, keys.Length), (ulong)map.Count);
    }

    /// <summary>Sets <c>keys[i] = i</c> for every key; returns ns per insert and the slowest batch in ms.</summary>
    public static (double NsPerOp, double SlowestBatchMs) Insert<TMap>(TMap map, ulong[] keys)
        where TMap : struct, IUlongMap
    {
        long slowest = 0;
        long start = Stopwatch.GetTimestamp();
        for (int from = 0; from < keys.Length; from += InsertBatch)
        {
            int to = Math.Min(keys.Length, from + InsertBatch);
            long t0 = Stopwatch.GetTimestamp();
            for (int i = from; i < to; i++)
            {
                map.Set(keys[i], (ulong)i);
            }

            slowest = Math.Max(slowest, Stopwatch.GetTimestamp() - t0);
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        return (NsPerOp(elapsed, keys.Length), slowest * 1e3 / Stopwatch.Frequency);
    }

    /// <summary>TryGetValue of every key; returns ns per lookup and the sum of the values found plus the hit count.</summary>
    public static (double NsPerOp, ulong Sum) Lookups<TMap>(TMap map, ulong[] keys)
        where TMap : struct, IUlongMap
    {
        ulong sum = 0;
        long start = Stopwatch.GetTimestamp();
        foreach (ulong key in keys)
        {
            if (map.TryGetValue(key, out ulong value))
            {
                sum += value + 1;
            }
        }

        return (NsPerOp(Stopwatch.GetTimestamp() - start, keys.Length), sum);
    }

    /// <summary>Removes every key; returns ns per remove and how many were present.</summary>
    public static (double NsPerOp, int Removed) Deletes<TMap>(TMap map, ulong[] keys)
        where TMap : struct, IUlongMap
    {
        int removed = 0;
        long start = Stopwatch.GetTimestamp();
        foreach (ulong key in keys)
        {
            removed += map.Remove(key) ? 1 : 0;
        }

        return (NsPerOp(Stopwatch.GetTimestamp() - start, keys.Length), removed);
    }

    private static double NsPerOp(long ticks, int operations) => ticks * 1e9 / Stopwatch.Frequency / operations;

    private static ulong Combine(ulong checksum, ulong value) => (checksum * 0x100_0000_01B3UL) ^ value;
}
