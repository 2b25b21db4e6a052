using NativeMap.Allocator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NativeMap.Allocator.Tests;

/// <summary>The heap's own metadata grows with its spans, shrinks when they are freed, and is counted.</summary>
public sealed unsafe class MetadataTests
{
    private const int Blocks = 40_000;

    [Fact]
    public void Metadata_GrowsWithSpans_AndIsDiscardedAfterTheyAreFreed_ByMaintenanceAndByFreeOSMemory()
    {
        var os = new TestOs();
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(1), os: os, arenaSize: 64L << 20);
        heap.Free(heap.Allocate(1000)); // the arena (and its page maps) exists from here on
        heap.Core.FreeOSMemory();
        long empty = heap.AssertConsistent().MetadataBytes;

        List<nint> blocks = Allocate(heap, Blocks, 1000);   // 5,000 spans of 8 blocks
        long full = heap.AssertConsistent().MetadataBytes;
        Assert.True(full - empty >= 5_000 * SpanData.Size, $"metadata grew by {full - empty} bytes for 5,000 spans");

        blocks.ForEach(p => heap.Free((void*)p));
        heap.Core.FreeOSMemory(); // spans back to the page level; their descriptors' pages are discarded at once
        HeapStats after = heap.AssertConsistent();
        Assert.True(after.MetadataBytes - empty <= 16 << 10, $"metadata still {after.MetadataBytes - empty} bytes above the empty heap's");
        Assert.True(os.MetadataDiscards > 0);

        // The same through maintenance alone: the caches drain, the spans go back, and their metadata pages are discarded.
        blocks = Allocate(heap, Blocks, 1000);
        blocks.ForEach(p => heap.Free((void*)p));
        long discards = os.MetadataDiscards;
        long beforeMaintenance = heap.AssertConsistent().MetadataBytes;
        for (int pass = 0; pass < 4; pass++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            heap.Core.RunScavengerCycle();
        }

        HeapStats maintained = heap.AssertConsistent();
        Assert.True(os.MetadataDiscards > discards);
        Assert.True(maintained.MetadataBytes - empty <= 16 << 10 && maintained.MetadataBytes < beforeMaintenance,
            $"metadata {maintained.MetadataBytes} after maintenance, {beforeMaintenance} before, {empty} empty");
    }

    [Fact]
    public void Descriptors_ArePackedLowestFirst_SoReuseRefillsTheHoles()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        List<nint> blocks = Allocate(heap, 8_000, 4096); // 8,000 single-block spans of 2 pages
        long full = heap.GetStats().MetadataBytes;
        for (int i = 0; i < blocks.Count; i += 2)
        {
            heap.Free((void*)blocks[i]);
        }

        heap.FreeOSMemory();
        List<nint> again = Allocate(heap, 4_000, 4096);
        Assert.True(heap.AssertConsistent().MetadataBytes <= full, "refilled holes, not new descriptor pages");
        again.ForEach(p => heap.Free((void*)p));
        for (int i = 1; i < blocks.Count; i += 2)
        {
            heap.Free((void*)blocks[i]);
        }

        heap.AssertConsistent();
    }

    [Fact]
    public void MetadataChunkRefusedByTheOs_ThrowsOutOfMemory_AndChangesNothing()
    {
        var os = new TestOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 256L << 20);
        var blocks = new List<nint> { (nint)heap.Allocate(1000) }; // the pools' first chunks: 8,191 descriptors
        os.FailMetadataReserve = true;
        int failures = 0;
        for (int i = 0; i < 80_000; i++) // a span per 8 blocks: 10,000 spans need a second descriptor chunk
        {
            try
            {
                blocks.Add((nint)heap.Allocate(1000));
            }
            catch (OutOfMemoryException)
            {
                failures++;
            }
        }

        Assert.True(failures > 0, "some allocation needed a new descriptor chunk");
        HeapStats refused = heap.AssertConsistent();
        os.FailMetadataReserve = false;
        blocks.Add((nint)heap.Allocate(1000));
        blocks.Add((nint)heap.Allocate(100_000));
        Assert.True(heap.AssertConsistent().LiveObjects == refused.LiveObjects + 2);
        blocks.ForEach(p => heap.Free((void*)p));
        heap.AssertConsistent();
    }

    internal static List<nint> Allocate(SpanHeap heap, int count, int size)
    {
        var blocks = new List<nint>(count);
        for (int i = 0; i < count; i++)
        {
            byte* p = (byte*)heap.Allocate((nuint)size);
            p[0] = 1;
            blocks.Add((nint)p);
        }

        return blocks;
    }
}

/// <summary>Real RSS and GC heap: a heap that held a million spans' worth of metadata gives it back.</summary>
[Collection(RssCollection.Name)]
public sealed unsafe class MetadataRssTests(ITestOutputHelper output)
{
    [Fact]
    public void FreeAllThenFreeOSMemory_RssAndMetadataFall_AndTheGcHeapNeverHeldTheDescriptors()
    {
        const int count = 400_000; // 50,000 spans of 8 blocks of 1,000 bytes: 390 MiB
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "metadata-rss", ScavengerEnabled = false });
        var blocks = new nint[count];
        for (int i = 0; i < 10_000; i++)
        {
            blocks[i] = (nint)heap.Allocate(1000); // warm-up: code compiled, first chunks reserved
        }

        for (int i = 0; i < 10_000; i++)
        {
            heap.Free((void*)blocks[i]);
        }

        heap.FreeOSMemory();
        Settle();
        long rss0 = ProcessMemory.GetResidentBytes();
        long gc0 = GC.GetTotalMemory(forceFullCollection: true);
        long metadata0 = heap.GetStats().MetadataBytes;

        for (int i = 0; i < count; i++)
        {
            byte* p = (byte*)heap.Allocate(1000);
            p[0] = 1;
            p[999] = 1;
            blocks[i] = (nint)p;
        }

        HeapStats full = heap.AssertConsistent();
        long fullRss = ProcessMemory.GetResidentBytes() - rss0;
        long gcGrowth = GC.GetTotalMemory(forceFullCollection: true) - gc0;
        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }

        heap.FreeOSMemory();
        Settle();
        HeapStats empty = heap.AssertConsistent();
        long emptyRss = ProcessMemory.GetResidentBytes() - rss0;
        output.WriteLine($"full: RSS +{fullRss >> 20} MiB, metadata {full.MetadataBytes >> 10} KiB, GC heap +{gcGrowth >> 10} KiB; " +
            $"after free all + FreeOSMemory: RSS +{emptyRss >> 20} MiB, metadata {empty.MetadataBytes >> 10} KiB, arenas' own RSS {heap.ReadResidency().ResidentBytes >> 10} KiB, GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes >> 20} MiB");

        Assert.True(full.MetadataBytes - metadata0 >= 50_000L * SpanData.Size, "the descriptors are counted");
        Assert.True(gcGrowth < 2 << 20, $"the GC heap grew by {gcGrowth >> 10} KiB: descriptors and state arrays are not managed");
        Assert.True(empty.MetadataBytes <= metadata0 + (1 << 20) && empty.MetadataBytes < full.MetadataBytes / 4,
            $"metadata {empty.MetadataBytes >> 10} KiB after, {full.MetadataBytes >> 10} KiB full");
        Assert.True(emptyRss <= fullRss / 10, $"RSS still {emptyRss >> 20} MiB above the start ({fullRss >> 20} MiB full)");
        Assert.True(heap.ReadResidency().ResidentBytes is >= 0 and <= 1 << 20, "the kernel sees the arenas (nearly) empty");
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
