using System.Diagnostics;
using NativeMap.Allocator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NativeMap.Allocator.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RssCollection
{
    /// <summary>Tests that read the process's RSS run alone, after the parallel ones.</summary>
    public const string Name = "rss";
}

/// <summary>Real RSS: memory freed into the heap leaves the process, by decay or on request. Polls, never sleeps a fixed time.</summary>
[Collection(RssCollection.Name)]
public sealed unsafe class RssTests(ITestOutputHelper output)
{
    private const long MiB = 1 << 20;
    private const long Total = 256 * MiB;

    [Fact]
    public void Scavenger_FreedMemoryLeavesRssAfterDecay_WithoutAnyCall()
    {
        TimeSpan decay = TimeSpan.FromSeconds(1);
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "rss-decay", ScavengeDecay = decay });
        long baseline = SettledRss();
        List<nint> blocks = AllocateAndTouch(heap);
        long peak = ProcessMemory.GetResidentBytes();
        Assert.True(peak - baseline >= Total * 9 / 10, $"touched {Total >> 20} MiB but RSS grew by {(peak - baseline) >> 20} MiB");

        var sinceFree = Stopwatch.StartNew();
        FreeAll(heap, blocks);
        long warm = ProcessMemory.GetResidentBytes();
        output.WriteLine($"baseline {baseline >> 20} MiB, peak {peak >> 20} MiB, right after free {warm >> 20} MiB");
        Assert.True(warm - baseline >= Total * 8 / 10, "freed pages stay resident during the decay");

        TimeSpan? fell = Poll.Until(() => ProcessMemory.GetResidentBytes() - baseline <= Total / 10, decay + TimeSpan.FromSeconds(2) - sinceFree.Elapsed);
        HeapStats stats = heap.AssertConsistent();
        output.WriteLine($"RSS fell by ≥ 90 % {sinceFree.Elapsed.TotalSeconds:F2} s after the free; now {ProcessMemory.GetResidentBytes() >> 20} MiB; " +
            $"{stats.ReleasedByDecayBytes >> 20} MiB released by decay in {stats.ScavengerCycles} cycles");
        Assert.True(fell is not null, $"RSS still {(ProcessMemory.GetResidentBytes() - baseline) >> 20} MiB above baseline after decay + 2 s");
        Assert.True(sinceFree.Elapsed >= decay * 0.9, "released before the decay");
        Assert.True(stats.ReleasedByDecayBytes >= Total * 9 / 10);
    }

    [Fact]
    public void FreeOSMemory_ScavengerOff_DropsRssAtOnce()
    {
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "rss-force", ScavengerEnabled = false });
        long baseline = SettledRss();
        List<nint> blocks = AllocateAndTouch(heap);
        FreeAll(heap, blocks);
        long warm = ProcessMemory.GetResidentBytes();
        Assert.True(warm - baseline >= Total * 9 / 10, "with the scavenger off, freed pages stay resident");

        long released = heap.FreeOSMemory();
        long after = ProcessMemory.GetResidentBytes();
        output.WriteLine($"baseline {baseline >> 20} MiB, freed-but-resident {warm >> 20} MiB, after FreeOSMemory {after >> 20} MiB ({released >> 20} MiB released)");
        Assert.True(released >= Total * 9 / 10);
        Assert.True(after - baseline <= Total / 10, $"RSS still {(after - baseline) >> 20} MiB above baseline");
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(0, stats.InUseBytes);
        Assert.Equal(0, stats.IdleBytes);
    }

    private static long SettledRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return ProcessMemory.GetResidentBytes();
    }

    /// <summary>~256 MiB in mixed sizes (90 % in 64 KiB–1 MiB blocks, the rest small), every page touched.</summary>
    private static List<nint> AllocateAndTouch(SpanHeap heap)
    {
        var random = new Random(42);
        var blocks = new List<nint>();
        long total = 0;
        while (total < Total)
        {
            nuint size = random.Next(10) == 0 ? (nuint)random.Next(16, 4096) : (nuint)random.Next(64 << 10, 1 << 20);
            byte* p = (byte*)heap.Allocate(size);
            for (nuint i = 0; i < size; i += 4096)
            {
                p[i] = 1;
            }

            p[size - 1] = 1;
            blocks.Add((nint)p);
            total += (long)size;
        }

        return blocks;
    }

    private static void FreeAll(SpanHeap heap, List<nint> blocks)
    {
        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }
    }
}
