using System.Diagnostics;

namespace NativeMap.Tests.Infrastructure;

/*
 * The model run through huge-page-sized bucket arrays.
 *
 * The random walk of Run keeps maps of a few thousand entries, whose arrays never reach the heap's huge-page spans
 * (large spans of 2 MiB and more are carved 2 MiB-aligned and advised MADV_HUGEPAGE). This run is scripted instead, in
 * four phases over keys drawn from a range sized from the bucket layout (the capacity of the array after the first one
 * of 2 MiB or more, so the map peaks about half full and lookups keep missing):
 *   grow      from empty until the array is twice the first huge-page-sized one: the indexer, Add, TryAdd, the ref
 *             accessors and SetValues batches, with lookups, TryGetValues batches and a few removes mixed in;
 *   churn     inserts and removes at the peak, then one TryGetValues as large as the map (over a huge-page-sized
 *             array: the prefetching loop, unless a resize is under way);
 *   shrink    remove the keys the map holds in shuffled order, with lookups and a few inserts mixed in, until a 32nd of
 *             the peak is left (or the keys run out): shrinks evacuate out of huge-page-sized arrays, down to an array
 *             below 2 MiB;
 *   regrow    SetValues batches much smaller than the map (incremental growth, the prepared next array) until the array
 *             is huge-page-sized again.
 * Whenever a growth or shrink involving an array of 2 MiB or more starts, the map is enumerated with removes and
 * overwrites while the evacuation is under way. The map and the heap are validated at the start and end of every
 * resize and compared with the model after every phase; after the grow phase the heap must have advised the array's
 * huge pages (and the kernel mapped some) when huge pages are on, and advised nothing when they are off.
 */
public sealed partial class MapModel<TKey, TValue>
{
    /// <summary>The array size the run goes past, and the huge page size it expects of the heap: x86-64's 2 MiB PMD.</summary>
    public const int HugePageBytes = 2 << 20;

    /// <summary>What a run through huge-page-sized arrays covered, for assertions that it reached the states it meant to.</summary>
    public sealed record LargeCoverage(
        int HugeShift,
        int PeakShift,
        int PeakCount,
        int ShrunkShift,
        int GrowthsIntoHugeArrays,
        int ShrinksFromHugeArrays,
        int EnumerationsGrowing,
        int EnumerationsShrinking,
        long HugePageAdvisedBytes,
        long KernelHugePageBytes);

    /// <summary>The smallest bucket shift whose array is at least <see cref="HugePageBytes"/>.</summary>
    public static int HugeShift
    {
        get
        {
            int b = 0;
            while ((long)BucketLayout<TKey, TValue>.ArrayBytes(b) < HugePageBytes)
            {
                b++;
            }

            return b;
        }
    }

    /// <summary>
    /// Runs the four phases (see the top of the file) on a private heap with <see cref="SpanHeapOptions.HugePages"/> set
    /// to <paramref name="hugePages"/>. <paramref name="keyOf"/> maps each index of the key range to a distinct key.
    /// </summary>
    public static LargeCoverage RunThroughHugeArrays(ITestOutputHelper output, bool hugePages, Func<int, TKey> keyOf, Func<Random, TValue> nextValue,
        IEqualityComparer<TKey>? comparer = null)
    {
        int hugeShift = HugeShift;
        int range = NativeMap<TKey, TValue>.CapacityOf(hugeShift + 1);
        output.WriteLine($"{typeof(TKey).Name} -> {typeof(TValue).Name}: {BucketLayout<TKey, TValue>.BucketSize} B buckets, " +
            $"{(BucketLayout<TKey, TValue>.Interleaved ? "interleaved" : "grouped")}, first huge-page-sized array 2^{hugeShift}, {range:N0} keys");
        return Harness(output, new SpanHeapOptions { HugePages = hugePages }, r => keyOf(r.Next(range)), nextValue, comparer, int.MaxValue,
            run => run.ExecuteLarge(hugeShift, hugePages));
    }

    private LargeCoverage ExecuteLarge(int hugeShift, bool hugePages)
    {
        var resizes = new ResizeTracker(_map, hugeShift);
        var phaseTime = Stopwatch.StartNew();

        SetMix(insertPercent: 80, removePercent: 5);
        while (_map.BucketShift <= hugeShift || _map.IsEvacuating)
        {
            Operate();
            AfterStep(resizes);
        }

        EndPhase("grow", phaseTime);
        int peakShift = _map.BucketShift;
        int peakCount = _map.Count;
        (long advised, long kernelHuge) = CheckHugePages(hugePages);

        SetMix(insertPercent: 40, removePercent: 40);
        for (int i = 0; i < 1 << hugeShift; i++)
        {
            Operate();
            AfterStep(resizes);
        }

        LookupBatch(_nextKey(_random), _model.Count);
        EndPhase("churn", phaseTime);

        SetMix(insertPercent: 5, removePercent: 5);
        TKey[] keys = [.. _model.Keys];
        _random.Shuffle(keys);
        foreach (TKey key in keys)
        {
            if (_model.Count <= peakCount / 32)
            {
                break;
            }

            Remove(key);
            AfterStep(resizes);
            if (_random.Next(3) == 0)
            {
                Operate();
                AfterStep(resizes);
            }
        }

        EndPhase("shrink", phaseTime);
        int shrunkShift = _map.BucketShift;
        Assert.True(shrunkShift < hugeShift, $"the map shrank only to 2^{shrunkShift} buckets");

        while (_map.BucketShift < hugeShift || _map.IsEvacuating)
        {
            // At most half the map: a larger batch would rebuild the map at once instead of growing it.
            SetBatch(_nextKey(_random), _nextValue(_random), _random.Next(64, Math.Clamp(_model.Count / 2, 65, 4096)));
            AfterStep(resizes);
            if (_random.Next(4) == 0)
            {
                LookupBatch(_nextKey(_random), _random.Next(1, 512));
            }
        }

        EndPhase("regrow", phaseTime);
        return new LargeCoverage(hugeShift, peakShift, peakCount, shrunkShift, resizes.GrowthsIntoHuge, resizes.ShrinksFromHuge,
            resizes.EnumerationsGrowing, resizes.EnumerationsShrinking, advised, kernelHuge);
    }

    private void SetMix(int insertPercent, int removePercent)
    {
        _insertPercent = insertPercent;
        _removePercent = removePercent;
    }

    /// <summary>Checks the count, notes resizes (validating at each start and end), and enumerates with removes when a
    /// resize involving a huge-page-sized array has just started.</summary>
    private void AfterStep(ResizeTracker resizes)
    {
        Assert.Equal(_model.Count, _map.Count);
        while (resizes.Observe())
        {
            _map.Validate();
            _heap.Validate();
            if (resizes.HugeResizeStarted)
            {
                // Growing: remove few, or the growth is undone before it ends. Shrinking: remove many. (The enumeration's
                // writes may end this resize and start another: the loop observes again.)
                bool shrinking = _map.IsShrinking;
                EnumerateWithRemoves(maxRemoveCurrentPercent: shrinking ? 90 : 10, maxRemoveOtherPercent: shrinking ? 60 : 20);
                resizes.Enumerated(shrinking);
                Assert.Equal(_model.Count, _map.Count);
            }
        }
    }

    private void EndPhase(string phase, Stopwatch phaseTime)
    {
        _map.Validate();
        _heap.Validate();
        CompareAll();
        HeapStats stats = _heap.GetStats();
        _output.WriteLine($"after {phase} ({phaseTime.ElapsedMilliseconds:N0} ms): {_map.Count:N0} entries, 2^{_map.BucketShift} buckets ({(long)BucketLayout<TKey, TValue>.ArrayBytes(_map.BucketShift):N0} B), " +
            $"evacuating {_map.IsEvacuating}, heap in use {stats.InUseBytes:N0} B, huge pages advised {stats.HugePageAdvisedBytes:N0} B");
        phaseTime.Restart();
    }

    /// <summary>At the peak: with huge pages on, the array's whole huge pages are advised and the kernel mapped some of
    /// them as huge pages; off, nothing is advised (and in madvise mode nothing is huge).</summary>
    private (long Advised, long KernelHuge) CheckHugePages(bool hugePages)
    {
        HeapStats stats = _heap.GetStats();
        HeapResidency residency = _heap.ReadResidency();
        _output.WriteLine($"THP mode {residency.TransparentHugePageMode ?? "absent"}: advised {stats.HugePageAdvisedBytes:N0} B, " +
            $"AnonHugePages {residency.HugePageBytes:N0} B, kernel Rss {residency.ResidentBytes:N0} B");
        if (!hugePages)
        {
            Assert.False(_heap.HugePagesActive);
            Assert.Equal(0, stats.HugePageAdvisedBytes);
            if (residency.TransparentHugePageMode == "madvise")
            {
                Assert.Equal(0, residency.HugePageBytes);
            }
        }
        else if (TransparentHugePages.PmdSizeIfAvailable() == HugePageBytes)
        {
            Assert.True(_heap.HugePagesActive);
            Assert.Equal(HugePageBytes, _heap.Core.Pages.HugePages * SpanHeap.PageSize);
            long arrayHugePages = (long)BucketLayout<TKey, TValue>.ArrayBytes(_map.BucketShift) / HugePageBytes * HugePageBytes;
            Assert.True(stats.HugePageAdvisedBytes >= arrayHugePages,
                $"{stats.HugePageAdvisedBytes:N0} B advised; the array alone has {arrayHugePages:N0} B of whole huge pages");
            Assert.True(residency.HugePageBytes >= HugePageBytes, $"the kernel mapped {residency.HugePageBytes:N0} B of the heap as huge pages");
        }

        return (stats.HugePageAdvisedBytes, residency.HugePageBytes);
    }

    /// <summary>Follows the map's resizes from step to step: which start and end, and which involve a huge-page-sized array.</summary>
    private sealed class ResizeTracker(NativeMap<TKey, TValue> map, int hugeShift)
    {
        private int _shift = map.BucketShift;
        private bool _evacuating = map.IsEvacuating;

        public int GrowthsIntoHuge { get; private set; }

        public int ShrinksFromHuge { get; private set; }

        public int EnumerationsGrowing { get; private set; }

        public int EnumerationsShrinking { get; private set; }

        /// <summary>Whether the last <see cref="Observe"/> saw a growth or shrink start whose larger array is huge-page-sized.</summary>
        public bool HugeResizeStarted { get; private set; }

        /// <summary>Notes the map's state; true when a resize started or ended since the last call (a resize that starts
        /// and ends between two calls is seen as its size change alone).</summary>
        public bool Observe()
        {
            int shift = map.BucketShift;
            bool evacuating = map.IsEvacuating;
            HugeResizeStarted = false;
            if (shift == _shift && evacuating == _evacuating)
            {
                return false;
            }

            if (shift > _shift && shift >= hugeShift)
            {
                GrowthsIntoHuge++;
            }
            else if (shift < _shift && _shift >= hugeShift)
            {
                ShrinksFromHuge++;
            }

            HugeResizeStarted = evacuating && (shift != _shift || !_evacuating) && Math.Max(shift, _shift) >= hugeShift;
            _shift = shift;
            _evacuating = evacuating;
            return true;
        }

        public void Enumerated(bool shrinking)
        {
            if (shrinking)
            {
                EnumerationsShrinking++;
            }
            else
            {
                EnumerationsGrowing++;
            }
        }
    }
}
