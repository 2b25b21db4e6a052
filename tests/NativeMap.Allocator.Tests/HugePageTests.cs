using NativeMap.Allocator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NativeMap.Allocator.Tests;

/// <summary>
/// Huge pages for large spans: placement, advice, release and reuse at huge-page granularity (policy tests: the OS
/// layer reports 2 MiB huge pages whatever the kernel's mode, and counts the advice it passes on), and the kernel's own
/// figure (<c>AnonHugePages</c>) when it has transparent huge pages.
/// </summary>
public sealed unsafe class HugePageTests
{
    private const int MiB = 1 << 20;
    private const int Huge = 2 * MiB;

    private static TestOs HugeOs() => new() { HugePageSizeOverride = Huge };

    [Fact]
    public void HugeSpan_StartsOnHugePageBoundary_AndItsWholeHugePagesAreAdvised()
    {
        TestOs os = HugeOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 64 * MiB);
        Assert.True(heap.HugePagesActive);
        void* small = heap.Allocate(100);          // the arena's first page goes to a small span
        void* large = heap.Allocate(5 * MiB);       // 2 whole huge pages and a 1 MiB tail

        Assert.Equal(0UL, (ulong)large % Huge);
        Assert.Equal(1, os.HugeAdvices);
        Assert.Equal(4 * MiB, os.HugeAdvisedBytes);
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(4 * MiB, stats.HugePageAdvisedBytes);

        heap.Free(large);
        heap.Free(small);
        heap.AssertConsistent();
    }

    [Fact]
    public void SpanBelowOneHugePage_IsNeitherAlignedNorAdvised()
    {
        TestOs os = HugeOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 64 * MiB);
        void* first = heap.Allocate(64 << 10);
        void* large = heap.Allocate(Huge - (64 << 10));
        Assert.Equal((nuint)first + (64 << 10), (nuint)large);
        Assert.Equal(0, os.HugeAdvices);
        Assert.Equal(0, heap.AssertConsistent().HugePageAdvisedBytes);
        heap.Free(large);
        heap.Free(first);
    }

    [Fact]
    public void FreedHugeSpan_ReusedByAnotherHugeSpan_NeedsNoNewAdvice()
    {
        TestOs os = HugeOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 64 * MiB);
        void* a = heap.Allocate(8 * MiB);
        heap.Free(a);
        void* b = heap.Allocate(8 * MiB);
        Assert.Equal((nuint)a, (nuint)b);
        Assert.Equal(1, os.HugeAdvices);
        Assert.Equal(8 * MiB, heap.AssertConsistent().HugePageAdvisedBytes);
        heap.Free(b);
    }

    [Fact]
    public void AdvisedHugePage_ReusedBySmallerSpans_HasItsAdviceWithdrawnFirst()
    {
        TestOs os = HugeOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 4 * MiB);
        byte* huge = (byte*)heap.Allocate(4 * MiB);   // the whole arena: both huge pages advised
        Assert.Equal(4 * MiB, heap.GetStats().HugePageAdvisedBytes);
        heap.Free(huge);
        long withdrawalsBefore = os.NoHugeAdvices;

        var blocks = new List<nint>();
        for (int i = 0; i < 16; i++)
        {
            blocks.Add((nint)heap.Allocate(128 << 10));   // 2 MiB of large spans below a huge page
            heap.Validate();
        }

        Assert.All(blocks, p => Assert.InRange((nuint)p, (nuint)huge, (nuint)huge + (4 * MiB) - 1));
        Assert.Equal(withdrawalsBefore + 1, os.NoHugeAdvices);    // once, by the first span carved from that huge page
        Assert.Equal(2 * MiB, heap.AssertConsistent().HugePageAdvisedBytes); // the other huge page is still free and advised

        byte* small = (byte*)heap.Allocate(48);
        Assert.InRange((nuint)small, (nuint)huge + (2 * MiB), (nuint)huge + (4 * MiB) - 1);
        Assert.Equal(withdrawalsBefore + 2, os.NoHugeAdvices);
        Assert.Equal(0, heap.AssertConsistent().HugePageAdvisedBytes);
        heap.Free(small);
        blocks.ForEach(p => heap.Free((void*)p));
        heap.AssertConsistent();
    }

    [Fact]
    public void HugeSpanTail_SharingItsHugePageWithAnotherSpan_IsNotAdvised()
    {
        TestOs os = HugeOs();
        using SpanHeap heap = Heaps.Quiet(os, arenaSize: 64 * MiB);
        byte* a = (byte*)heap.Allocate((3 * MiB) + (512 << 10)); // 1 whole huge page, then 1.5 MiB of the next
        byte* b = (byte*)heap.Allocate(256 << 10);              // the rest of that huge page
        Assert.Equal((nuint)a + (3 * MiB) + (512 << 10), (nuint)b);
        Assert.Equal(2 * MiB, heap.AssertConsistent().HugePageAdvisedBytes);
        heap.Free(a);
        heap.Free(b);
        heap.AssertConsistent();
    }

    [Fact]
    public void Scavenger_ReleasesAnAdvisedHugePageOnlyWhole()
    {
        TestOs os = HugeOs();
        var clock = Heaps.Clock();
        // Resident limit 8 MiB - 1 page: freeing an 8 MiB huge span leaves one page over it.
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), limit: (8 * MiB) - SpanHeap.PageSize,
            os: os, arenaSize: 64 * MiB, decayEnabled: false);
        byte* a = (byte*)heap.Allocate(8 * MiB);
        new Span<byte>(a, 8 * MiB).Fill(1);
        heap.Free(a);

        long releases = os.Releases;
        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(Huge, result.LimitBytes);      // one page owed, one whole huge page released
        Assert.Equal(releases + 1, os.Releases);
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(6 * MiB, stats.IdleBytes);
        Assert.Equal(8 * MiB, stats.HugePageAdvisedBytes); // still advised: a huge span reusing it faults in huge pages

        Assert.Equal(6 * MiB, heap.FreeOSMemory());
        Assert.Equal(releases + 4, os.Releases);     // one call per huge page
    }

    [Fact]
    public void Scavenger_WithoutHugePages_ReleasesTheOwedPagesOnly()
    {
        var os = new TestOs { HugePageSizeOverride = 0 };
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), limit: (8 * MiB) - SpanHeap.PageSize,
            os: os, arenaSize: 64 * MiB, decayEnabled: false);
        Assert.False(heap.HugePagesActive);
        byte* a = (byte*)heap.Allocate(8 * MiB);
        new Span<byte>(a, 8 * MiB).Fill(1);
        heap.Free(a);
        Assert.Equal(SpanHeap.PageSize, heap.Core.RunScavengerCycle().LimitBytes);
        Assert.Equal(0, os.HugeAdvices + os.NoHugeAdvices);
        heap.AssertConsistent();
    }

    [Fact]
    public void Option_Off_GivesNoAdvice()
    {
        TestOs os = HugeOs();
        using var heap = new SpanHeap(new SpanHeapOptions { HugePages = false, OsMemory = os, ScavengerEnabled = false });
        Assert.False(heap.HugePagesActive);
        void* p = heap.Allocate(16 * MiB);
        heap.Free(p);
        Assert.Equal(0, os.HugeAdvices + os.NoHugeAdvices);
        Assert.Equal(0, heap.AssertConsistent().HugePageAdvisedBytes);
    }

    [Fact]
    public void MixedSizes_KeepEveryHugePageInvariant()
    {
        TestOs os = HugeOs();
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(1), os: os, arenaSize: 16 * MiB);
        var random = new Random(7);
        var live = new List<(nint Ptr, nuint Size, ulong Seed)>();
        for (int step = 0; step < 400; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                int i = random.Next(live.Count);
                Assert.True(Pattern.Check((void*)live[i].Ptr, Math.Min(live[i].Size, 1 << 16), live[i].Seed));
                heap.Free((void*)live[i].Ptr);
                live.RemoveAt(i);
            }
            else
            {
                nuint size = random.Next(4) switch
                {
                    0 => (nuint)random.Next(1, 4096),
                    1 => (nuint)random.Next(32 << 10, 1 << 20),
                    _ => (nuint)random.Next(Huge - 4096, 7 * MiB),
                };
                byte* p = (byte*)heap.Allocate(size);
                ulong seed = (ulong)step;
                Pattern.Fill(p, Math.Min(size, 1 << 16), seed);
                live.Add(((nint)p, size, seed));
            }

            if (step % 50 == 0)
            {
                clock.Advance(TimeSpan.FromSeconds(random.Next(3)));
                heap.Core.RunScavengerCycle();
                heap.AssertConsistent();
            }
        }

        heap.FreeOSMemory();
        heap.AssertConsistent();
        foreach ((nint p, nuint size, ulong seed) in live)
        {
            Assert.True(Pattern.Check((void*)p, Math.Min(size, 1 << 16), seed));
            heap.Free((void*)p);
        }

        heap.AssertConsistent();
    }

    [Fact]
    public void Residency_SumsTheMappingsInsideTheArenas()
    {
        string[] smaps =
        [
            "7f0000000000-7f0004000000 rw-p 00000000 00:00 0",
            "Size:              65536 kB",
            "Rss:               10240 kB",
            "AnonHugePages:      8192 kB",
            "7f0004000000-7f0008000000 rw-p 00000000 00:00 0",  // half inside the arenas below
            "Rss:                4096 kB",
            "AnonHugePages:      4096 kB",
            "7f1000000000-7f1000001000 r-xp 00000000 08:01 42   /usr/lib/libc.so.6",
            "Rss:                   4 kB",
            "AnonHugePages:         0 kB",
        ];
        (nuint, nuint)[] arenas = [(unchecked((nuint)0x7f0000000000UL), unchecked((nuint)0x7f0006000000UL))];
        (long rss, long huge) = Residency.Sum(smaps, arenas);
        Assert.Equal((10240 + 2048) * 1024L, rss);
        Assert.Equal((8192 + 2048) * 1024L, huge);
    }
}

/// <summary>The kernel's own count of huge pages in the heap's arenas (reads /proc/self/smaps; touches real memory).</summary>
[Collection(RssCollection.Name)]
public sealed unsafe class HugePageResidencyTests(ITestOutputHelper output)
{
    private const int MiB = 1 << 20;

    [SkippableFact]
    public void TouchedHugeSpan_IsMappedWithHugePages()
    {
        string? mode = TransparentHugePages.Mode;
        Skip.If(mode is null or "never", $"the kernel has no transparent huge pages to give (mode: {mode ?? "absent"})");
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "thp-on", ScavengerEnabled = false });
        Assert.True(heap.HugePagesActive);
        byte* p = (byte*)heap.AllocateZeroed(64 * MiB);
        for (int i = 0; i < 64 * MiB; i += 4096)
        {
            p[i] = 1;
        }

        HeapResidency residency = heap.ReadResidency();
        output.WriteLine($"THP {mode}, defrag {TransparentHugePages.Defrag}: advised {residency.HugePageAdvisedBytes >> 20} MiB, " +
            $"AnonHugePages {residency.HugePageBytes >> 20} MiB, Rss {residency.ResidentBytes >> 20} MiB");
        Assert.Equal(64 * MiB, residency.HugePageAdvisedBytes);
        Assert.True(residency.HugePageBytes >= 56 * MiB, $"only {residency.HugePageBytes >> 20} MiB of 64 MiB touched in huge spans are huge pages");
        Assert.True(residency.ResidentBytes >= 64 * MiB);

        // Released whole, and faulted in again as huge pages.
        heap.Free(p);
        Assert.Equal(64 * MiB, heap.FreeOSMemory());
        Assert.True(heap.ReadResidency().HugePageBytes < 8 * MiB, "released huge pages leave the mapping");
        p = (byte*)heap.AllocateZeroed(64 * MiB);
        for (int i = 0; i < 64 * MiB; i += 4096)
        {
            p[i] = 2;
        }

        long again = heap.ReadResidency().HugePageBytes;
        output.WriteLine($"after release and reuse: AnonHugePages {again >> 20} MiB");
        Assert.True(again >= 56 * MiB, $"only {again >> 20} MiB huge after reuse");
        heap.Free(p);
        heap.AssertConsistent();
    }

    [SkippableFact]
    public void HugePagesOff_LeavesTheSpanOnSmallPages()
    {
        string? mode = TransparentHugePages.Mode;
        Skip.If(mode != "madvise", $"only in madvise mode does the heap's advice alone decide (mode: {mode ?? "absent"})");
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "thp-off", ScavengerEnabled = false, HugePages = false });
        byte* p = (byte*)heap.AllocateZeroed(32 * MiB);
        for (int i = 0; i < 32 * MiB; i += 4096)
        {
            p[i] = 1;
        }

        HeapResidency residency = heap.ReadResidency();
        output.WriteLine($"AnonHugePages {residency.HugePageBytes >> 10} KiB, Rss {residency.ResidentBytes >> 20} MiB");
        Assert.Equal(0, residency.HugePageBytes);
        Assert.True(residency.ResidentBytes >= 32 * MiB);
        heap.Free(p);
    }
}
