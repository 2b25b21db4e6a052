using System.Diagnostics.Metrics;
using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

public sealed unsafe class MetricsTests
{
    [Fact]
    public void Meter_PublishesEachHeapsStatsTaggedWithItsName()
    {
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "metered", ScavengerEnabled = false, ArenaSize = 4 << 20 });
        void* p = heap.Allocate(1 << 20);
        void* small = heap.Allocate(64);
        heap.Free(heap.Allocate(100_000));
        long forced = heap.FreeOSMemory();

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SpanHeap.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? heapName = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "heap")
                {
                    heapName = tag.Value as string;
                }
                else if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            if (heapName == "metered")
            {
                seen[instrument.Name + (reason is null ? "" : "/" + reason)] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        HeapStats stats = heap.GetStats();
        Assert.Equal(stats.ReservedBytes, seen["nativemap.heap.reserved"]);
        Assert.Equal(stats.InUseBytes, seen["nativemap.heap.in_use"]);
        Assert.Equal(stats.IdleBytes, seen["nativemap.heap.idle"]);
        Assert.Equal(stats.ReleasedBytes, seen["nativemap.heap.released"]);
        Assert.Equal(2, seen["nativemap.heap.live_objects"]);
        Assert.True(stats.SmallSpanBytes > 0 && stats.SmallUsedBytes > 0 && stats.MetadataBytes > 0);
        Assert.Equal(stats.MetadataBytes, seen["nativemap.heap.metadata"]);
        Assert.Equal(stats.HugePageAdvisedBytes, seen["nativemap.heap.huge_pages_advised"]);
        Assert.Equal(stats.SmallSpanBytes, seen["nativemap.heap.small_span"]);
        Assert.Equal(stats.SmallUsedBytes, seen["nativemap.heap.small_used"]);
        Assert.Equal(forced, seen["nativemap.heap.released_total/force"]);
        Assert.Equal(0, seen["nativemap.heap.released_total/decay"]);
        heap.Free(p);
        heap.Free(small);
        heap.AssertConsistent();
    }
}
