using System.Diagnostics.Metrics;

namespace NativeMap.Allocator;

/// <summary>
/// The <c>NativeMap.Allocator</c> meter: gauges of every live heap's statistics and counters of released bytes, each
/// tagged with the heap's name, so <c>dotnet-counters monitor --counters NativeMap.Allocator</c> shows them. The
/// figures are read when a listener asks (observable instruments): nothing is paid on the allocation paths.
/// </summary>
internal static class HeapMetrics
{
    private static readonly Lock s_lock = new();
    private static readonly List<HeapCore> s_heaps = [];
    private static readonly Meter s_meter = new(SpanHeap.MeterName);

    static HeapMetrics()
    {
        s_meter.CreateObservableGauge("nativemap.heap.reserved", () => Gauge(static s => s.ReservedBytes), "By", "Address space reserved in arenas.");
        s_meter.CreateObservableGauge("nativemap.heap.in_use", () => Gauge(static s => s.InUseBytes), "By", "Bytes of pages in use.");
        s_meter.CreateObservableGauge("nativemap.heap.idle", () => Gauge(static s => s.IdleBytes), "By", "Bytes of free pages still resident.");
        s_meter.CreateObservableGauge("nativemap.heap.released", () => Gauge(static s => s.ReleasedBytes), "By", "Bytes of free pages returned to the OS.");
        s_meter.CreateObservableGauge("nativemap.heap.live_objects", () => Gauge(static s => s.LiveObjects), "{block}", "Blocks allocated and not freed.");
        s_meter.CreateObservableGauge("nativemap.heap.allocated", () => Gauge(static s => s.AllocatedBytes), "By", "Bytes of live blocks, by size class.");
        s_meter.CreateObservableGauge("nativemap.heap.metadata", () => Gauge(static s => s.MetadataBytes), "By", "Bytes of the heap's own metadata (native pools and managed maps).");
        s_meter.CreateObservableGauge("nativemap.heap.huge_pages_advised", () => Gauge(static s => s.HugePageAdvisedBytes), "By", "Bytes advised for transparent huge pages.");
        s_meter.CreateObservableGauge("nativemap.heap.small_span", () => Gauge(static s => s.SmallSpanBytes), "By", "Bytes of small-block spans.");
        s_meter.CreateObservableGauge("nativemap.heap.small_used", () => Gauge(static s => s.SmallUsedBytes), "By", "Bytes of small blocks in use (allocated or cached).");
        s_meter.CreateObservableCounter("nativemap.heap.released_total", ReleasedTotals, "By", "Bytes returned to the OS, by reason (decay, limit, force).");
        s_meter.CreateObservableCounter("nativemap.heap.scavenger.cycles", () => Gauge(static s => s.ScavengerCycles), "{cycle}", "Scavenger cycles that released memory.");
    }

    public static void Register(HeapCore heap)
    {
        lock (s_lock)
        {
            s_heaps.Add(heap);
        }
    }

    public static void Unregister(HeapCore heap)
    {
        lock (s_lock)
        {
            s_heaps.Remove(heap);
        }
    }

    private static List<HeapStats> Snapshot(out List<string> names)
    {
        HeapCore[] heaps;
        lock (s_lock)
        {
            heaps = [.. s_heaps];
        }

        var stats = new List<HeapStats>(heaps.Length);
        names = new List<string>(heaps.Length);
        foreach (HeapCore heap in heaps)
        {
            try
            {
                stats.Add(heap.GetStats());
                names.Add(heap.Name);
            }
            catch (ObjectDisposedException)
            {
                // Disposed between the copy and the read: it has nothing left to report.
            }
        }

        return stats;
    }

    private static IEnumerable<Measurement<long>> Gauge(Func<HeapStats, long> select)
    {
        List<HeapStats> stats = Snapshot(out List<string> names);
        for (int i = 0; i < stats.Count; i++)
        {
            yield return new Measurement<long>(select(stats[i]), new KeyValuePair<string, object?>("heap", names[i]));
        }
    }

    private static IEnumerable<Measurement<long>> ReleasedTotals()
    {
        List<HeapStats> stats = Snapshot(out List<string> names);
        for (int i = 0; i < stats.Count; i++)
        {
            var heap = new KeyValuePair<string, object?>("heap", names[i]);
            yield return new Measurement<long>(stats[i].ReleasedByDecayBytes, heap, new("reason", "decay"));
            yield return new Measurement<long>(stats[i].ReleasedByLimitBytes, heap, new("reason", "limit"));
            yield return new Measurement<long>(stats[i].ReleasedByGrowthBytes, heap, new("reason", "growth"));
            yield return new Measurement<long>(stats[i].ReleasedByForceBytes, heap, new("reason", "force"));
        }
    }
}
