using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

/// <summary>The scavenger's policy, driven with a fake clock and cycles run by the test: no sleeping.</summary>
public sealed unsafe class ScavengerTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public void Cycle_BeforeDecay_ReleasesNothing_AfterDecay_ReleasesAll()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(10), arenaSize: 64 * MiB);
        FreeTouched(heap, 8 * MiB);
        Assert.Equal(8 * MiB, heap.GetStats().IdleBytes);

        Assert.Equal(0, RunUntilQuiet(heap));
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, RunUntilQuiet(heap));
        Assert.Equal(8 * MiB, heap.GetStats().IdleBytes);

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(8 * MiB, RunUntilQuiet(heap));
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(0, stats.IdleBytes);
        Assert.Equal(8 * MiB, stats.ReleasedByDecayBytes);
        Assert.True(stats.ScavengerCycles >= 1);
    }

    [Fact]
    public void Cycle_ManyInterleavedFreeSpans_ReleasesThemInLinearScanWork()
    {
        // A scattered delete leaves free spans between live ones that cannot coalesce. Releasing them must examine the
        // dirty list O(n) times in total; a full scan per released run (O(n²)) starved the paced scavenger.
        const int Spans = 512;
        const int Block = 64 * 1024; // a large span of 8 pages
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(10), arenaSize: 256 * MiB);
        var blocks = new nint[2 * Spans];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)heap.Allocate(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(0x33);
        }

        for (int i = 0; i < blocks.Length; i += 2)
        {
            heap.Free((void*)blocks[i]);
        }

        heap.Validate();
        Assert.True(heap.Core.Pages.DirtySpanCount >= Spans, $"{heap.Core.Pages.DirtySpanCount} dirty free spans: the frees did not stay apart");
        long stepsBefore = heap.Core.Pages.DirtyScanSteps;
        clock.Advance(TimeSpan.FromSeconds(11));

        Assert.True(RunUntilQuiet(heap) >= (long)Spans * Block);
        long steps = heap.Core.Pages.DirtyScanSteps - stepsBefore;
        Assert.True(steps <= 4L * Spans, $"{steps} dirty-list examinations to release {Spans} spans (quadratic would be ~{(long)Spans * Spans / 2})");
        heap.AssertConsistent();

        for (int i = 1; i < blocks.Length; i += 2)
        {
            Assert.True(new Span<byte>((void*)blocks[i], Block).IndexOfAnyExcept((byte)0x33) < 0, "a live block was touched");
            heap.Free((void*)blocks[i]);
        }

        heap.Validate();
    }

    [Fact]
    public void Cycle_OldFreeSpansBehindManyYoungOnes_AreFoundWithoutRescanningTheYoung()
    {
        // While a scattered delete goes on, the mutator keeps freeing young spans (pushed at the head of the dirty list)
        // while the scavenger releases the old ones: it must not walk past every young span for each old one.
        const int Groups = 512;
        const int Block = 64 * 1024;
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(10), arenaSize: 256 * MiB);
        var blocks = new nint[4 * Groups];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)heap.Allocate(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(0x44);
        }

        for (int i = 0; i < blocks.Length; i += 4)
        {
            heap.Free((void*)blocks[i]); // old
        }

        clock.Advance(TimeSpan.FromSeconds(11));
        for (int i = 2; i < blocks.Length; i += 4)
        {
            heap.Free((void*)blocks[i]); // young: not adjacent to the old ones
        }

        long stepsBefore = heap.Core.Pages.DirtyScanSteps;
        Assert.Equal((long)Groups * Block, RunUntilQuiet(heap));
        long steps = heap.Core.Pages.DirtyScanSteps - stepsBefore;
        Assert.True(steps <= 4L * Groups, $"{steps} dirty-list examinations to release {Groups} old spans behind {Groups} young ones");
        Assert.Equal((long)Groups * Block, heap.AssertConsistent().IdleBytes);

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal((long)Groups * Block, RunUntilQuiet(heap));
        heap.AssertConsistent();
    }

    [Fact]
    public void Cycle_OverLimitWithManyFreeSpans_ComparesABoundedWindowPerRun()
    {
        // The limit (and growth-debt) release is unpaced and oldest first; with thousands of free spans it must not walk
        // the whole dirty list per released run.
        const int Spans = 4096;
        const int Block = 64 * 1024;
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), limit: 2L * Spans * Block + 8 * MiB,
            arenaSize: 1024 * MiB, decayEnabled: false);
        var blocks = new nint[2 * Spans];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)heap.Allocate(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(0x55);
        }

        for (int i = 0; i < blocks.Length; i += 2)
        {
            heap.Free((void*)blocks[i]);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Resident is at the limit; a further allocation of fresh pages puts it over.
        int extra = Spans / 2 * Block;
        byte* more = (byte*)heap.Allocate((nuint)extra);
        new Span<byte>(more, extra).Fill(0x66);

        long stepsBefore = heap.Core.Pages.DirtyScanSteps;
        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        long steps = heap.Core.Pages.DirtyScanSteps - stepsBefore;
        Assert.True(result.LimitBytes >= extra - (8 * MiB), $"released {result.LimitBytes} for the limit");
        Assert.True(steps <= (long)FreeSpans.OldestProbe * (Spans / 2 + 64),
            $"{steps} dirty-list examinations for {result.LimitBytes / Block} runs (a whole-list scan per run would be ~{(long)Spans * Spans / 4})");
        Assert.False(heap.Core.Pages.OverLimit);
        heap.AssertConsistent();
    }

    [Fact]
    public void Cycle_YoungPagesCoalescedWithOldOnes_AreNotReleasedEarly()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(10), arenaSize: 64 * MiB);
        byte* a = (byte*)heap.Allocate(MiB);
        byte* b = (byte*)heap.Allocate(MiB);
        Assert.True(b == a + MiB, "the two blocks are neighbours, so their free spans coalesce");
        new Span<byte>(a, MiB).Fill(1);
        new Span<byte>(b, MiB).Fill(2);

        heap.Free(a);
        clock.Advance(TimeSpan.FromSeconds(6));
        heap.Free(b);
        heap.Validate();

        clock.Advance(TimeSpan.FromSeconds(5)); // a: 11 s free, b: 5 s
        Assert.Equal(MiB, RunUntilQuiet(heap));
        Assert.True(IsReleased(heap, a) && IsReleased(heap, a + MiB - 1));
        Assert.False(IsReleased(heap, b) || IsReleased(heap, b + MiB - 1));
        heap.AssertConsistent();

        clock.Advance(TimeSpan.FromSeconds(5)); // b: 10 s
        Assert.Equal(MiB, RunUntilQuiet(heap));
        Assert.Equal(0, heap.AssertConsistent().IdleBytes);
    }

    [Fact]
    public void Cycle_OverMemoryLimit_ReleasesExcessOldestFirst_IgnoringDecay()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), limit: 3 * MiB, arenaSize: 64 * MiB, decayEnabled: false);
        byte* a = (byte*)heap.Allocate(MiB);
        byte* b = (byte*)heap.Allocate(MiB);
        byte* c = (byte*)heap.Allocate(MiB);
        byte* d = (byte*)heap.Allocate(MiB);
        foreach (nint p in new[] { (nint)a, (nint)b, (nint)c, (nint)d })
        {
            new Span<byte>((void*)p, MiB).Fill(9);
        }

        heap.Free(b);
        clock.Advance(TimeSpan.FromSeconds(1));
        heap.Free(a);
        clock.Advance(TimeSpan.FromSeconds(1));
        heap.Free(c);

        // Resident: d in use (1 MiB) + a, b, c idle (3 MiB) = 4 MiB, one above the limit. b was freed first.
        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(MiB, result.LimitBytes);
        Assert.Equal(0, result.DecayBytes);
        Assert.True(IsReleased(heap, b) && IsReleased(heap, b + MiB - 1), "the oldest block's pages go first");
        Assert.False(IsReleased(heap, a) || IsReleased(heap, c));

        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(3 * MiB, stats.ResidentBytes);
        Assert.Equal(MiB, stats.ReleasedByLimitBytes);
        heap.Free(d);
    }

    [Fact]
    public void Cycle_SlowRelease_StopsAfterWorkSliceAndSleepsForBudget()
    {
        var os = new SlowOs(TimeSpan.FromMilliseconds(3));
        var clock = Heaps.Clock();
        using var heap = new SpanHeap(new SpanHeapOptions
        {
            TimeProvider = clock,
            ScavengeDecay = TimeSpan.Zero,
            ScavengerCpuPercent = 5,
            ArenaSize = 64 * MiB,
            OsMemory = os,
            StartScavengerThread = false,
        });
        FreeTouched(heap, 16 * MiB);

        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(2 * MiB, result.DecayBytes); // one 2 MiB chunk, then the 1 ms slice was spent
        Assert.True(result.Delay >= TimeSpan.FromMilliseconds(3 * 19), $"slept {result.Delay}: 5 % of one core allows 19× the work time");
        Assert.Equal(16 * MiB, RunUntilQuiet(heap) + (2 * MiB));
    }

    [Fact]
    public void Cycle_NothingToDo_SleepsIndefinitely_OtherwiseUntilOldestPageIsDue()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(10), arenaSize: 64 * MiB);
        Assert.Equal(Timeout.InfiniteTimeSpan, heap.Core.RunScavengerCycle().Delay);

        FreeTouched(heap, MiB);
        clock.Advance(TimeSpan.FromSeconds(4));
        TimeSpan delay = heap.Core.RunScavengerCycle().Delay;
        Assert.InRange(delay.TotalSeconds, 5.99, 6.01);

        clock.Advance(delay);
        Assert.Equal(MiB, heap.Core.RunScavengerCycle().DecayBytes);
        Assert.Equal(Timeout.InfiniteTimeSpan, heap.Core.RunScavengerCycle().Delay);
    }

    [Fact]
    public void Policy_PacingSleep_KeepsTheCpuShare()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(19), ScavengePolicy.PacingSleep(TimeSpan.FromMilliseconds(1), 5));
        Assert.Equal(TimeSpan.FromMilliseconds(99), ScavengePolicy.PacingSleep(TimeSpan.FromMilliseconds(1), 1));
        Assert.Equal(ScavengePolicy.MinSleep, ScavengePolicy.PacingSleep(TimeSpan.FromMilliseconds(1), 100));
    }

    [Fact]
    public void Policy_LimitPagesAndCutoff()
    {
        Assert.Equal(0, ScavengePolicy.LimitPages(100, 100, null));
        Assert.Equal(0, ScavengePolicy.LimitPages(100, 100, 200L << Pages.PageShift));
        Assert.Equal(50, ScavengePolicy.LimitPages(150, 100, 200L << Pages.PageShift));
        Assert.Equal(1_000 - 10_000, ScavengePolicy.DecayCutoff(1_000, TimeSpan.FromSeconds(10), 1_000));
        Assert.Equal(TimeSpan.FromMilliseconds(100), ScavengePolicy.MaintenanceInterval(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), ScavengePolicy.MaintenanceInterval(TimeSpan.FromMinutes(1)));
        Assert.Equal(Timeout.InfiniteTimeSpan, ScavengePolicy.NextDelay(0, long.MaxValue, TimeSpan.FromSeconds(1), true, false, 500, 1_000));
        Assert.Equal(TimeSpan.FromSeconds(0.5), ScavengePolicy.NextDelay(0, long.MaxValue, TimeSpan.FromSeconds(1), true, true, 500, 1_000));
        Assert.Equal(TimeSpan.FromSeconds(1.2), ScavengePolicy.NextDelay(0, 200, TimeSpan.FromSeconds(1), true, false, 500, 1_000));
        Assert.Equal(Timeout.InfiniteTimeSpan, ScavengePolicy.NextDelay(0, 200, TimeSpan.FromSeconds(1), false, false, 500, 1_000));
    }

    [Fact]
    public void Maintenance_DeadThreadsCache_IsDrainedAndItsSpansReturn()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(1));
        var worker = new Thread(() => AllocateAndFreeSmall(heap, 2_000));
        worker.Start();
        worker.Join();
        Assert.True(heap.GetStats().InUseBytes > 0, "the dead thread's cache holds blocks");

        for (int pass = 0; pass < 3; pass++)
        {
            clock.Advance(TimeSpan.FromSeconds(1.01));
            heap.Core.RunScavengerCycle();
        }

        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(0, stats.InUseBytes);
        Assert.Equal(0, stats.LiveObjects);
    }

    [Fact]
    public void Maintenance_IdleLiveThreadsCache_IsDrained_AndTheThreadCarriesOn()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromSeconds(1));
        using var parked = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            AllocateAndFreeSmall(heap, 2_000);
            parked.Set();
            resume.Wait();
            AllocateAndFreeSmall(heap, 2_000);
        });
        worker.Start();
        parked.Wait();

        for (int pass = 0; pass < 4; pass++)
        {
            clock.Advance(TimeSpan.FromSeconds(1.01));
            heap.Core.RunScavengerCycle();
        }

        Assert.True(worker.IsAlive);
        Assert.Equal(0, heap.AssertConsistent().InUseBytes);

        resume.Set();
        worker.Join();
        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
    }

    [Fact]
    public void FreeOSMemory_DrainsCachesOfLiveThreads()
    {
        using SpanHeap heap = Heaps.Quiet();
        using var parked = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            AllocateAndFreeSmall(heap, 5_000);
            parked.Set();
            resume.Wait();
            AllocateAndFreeSmall(heap, 5_000);
        });
        worker.Start();
        parked.Wait();
        Assert.True(heap.GetStats().InUseBytes > 0);

        long released = heap.FreeOSMemory();
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(0, stats.InUseBytes);
        Assert.Equal(0, stats.IdleBytes);
        Assert.True(released > 0);

        resume.Set();
        worker.Join();
        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
    }

    [Fact]
    public void Trace_WritesOneLinePerCycleThatReleased()
    {
        var clock = Heaps.Clock();
        var trace = new StringWriter();
        using var heap = new SpanHeap(new SpanHeapOptions
        {
            Name = "traced",
            TimeProvider = clock,
            ScavengeDecay = TimeSpan.FromSeconds(1),
            ArenaSize = 64 * MiB,
            ScavengerTrace = trace,
            StartScavengerThread = false,
        });
        heap.Core.RunScavengerCycle();
        Assert.Equal("", trace.ToString());

        FreeTouched(heap, MiB);
        clock.Advance(TimeSpan.FromSeconds(2));
        heap.Core.RunScavengerCycle();
        string[] lines = trace.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("scav traced: 1024 KiB released (1024 decay, 0 limit, 0 growth)", lines[0]);
        Assert.Contains("KiB in use", lines[0]);
        Assert.Matches(@"-?\d+ KiB huge pages \(0 KiB advised\)$", lines[0].TrimEnd());
    }

    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Growth_TakingFreshPagesWhileIdlePagesSit_ReleasesAsManyIdlePagesAtOnce()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), arenaSize: 64 * MiB);
        byte* a = (byte*)heap.Allocate(MiB);
        byte* guard = (byte*)heap.Allocate(MiB); // keeps a's pages from merging with the fresh pages after it
        new Span<byte>(a, MiB).Fill(1);
        new Span<byte>(guard, MiB).Fill(2);
        heap.Free(a);
        Assert.Equal(0, heap.Core.RunScavengerCycle().GrowthBytes);

        // 4 MiB cannot fit in a's idle 1 MiB: the heap grows by 4 MiB of fresh pages and owes 1 MiB (all it has idle).
        byte* b = (byte*)heap.Allocate(4 * MiB);
        new Span<byte>(b, 4 * MiB).Fill(3);
        Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
        Assert.Equal(MiB, result.GrowthBytes);
        Assert.Equal(0, result.DecayBytes); // no time has passed: the decay had nothing to do with it
        Assert.True(IsReleased(heap, a) && IsReleased(heap, a + MiB - 1));

        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(0, stats.IdleBytes);
        Assert.Equal(MiB, stats.ReleasedByGrowthBytes);
        Assert.Equal(0, heap.Core.RunScavengerCycle().GrowthBytes); // paid once
        heap.Free(b);
        heap.Free(guard);
    }

    [Fact]
    public void Growth_ServedFromIdlePages_OwesNothing()
    {
        var clock = Heaps.Clock();
        using SpanHeap heap = Heaps.Manual(clock, decay: TimeSpan.FromMinutes(10), arenaSize: 64 * MiB);
        FreeTouched(heap, 4 * MiB);
        byte* b = (byte*)heap.Allocate(2 * MiB); // fits in the idle pages: resident memory does not grow
        Assert.Equal(0, heap.Core.RunScavengerCycle().GrowthBytes);
        HeapStats stats = heap.AssertConsistent();
        Assert.Equal(2 * MiB, stats.IdleBytes);
        Assert.Equal(0, stats.ReleasedByGrowthBytes);
        heap.Free(b);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Growth_ReleaseOnGrowthOffOrScavengerOff_KeepsIdlePages(bool releaseOnGrowth, bool scavengerEnabled)
    {
        using var heap = new SpanHeap(new SpanHeapOptions
        {
            TimeProvider = Heaps.Clock(),
            ScavengeDecay = TimeSpan.FromMinutes(10),
            ScavengerEnabled = scavengerEnabled,
            ReleaseOnGrowth = releaseOnGrowth,
            ArenaSize = 64 * MiB,
            StartScavengerThread = false,
        });
        byte* a = (byte*)heap.Allocate(MiB);
        byte* guard = (byte*)heap.Allocate(MiB);
        new Span<byte>(a, MiB).Fill(1);
        heap.Free(a);
        byte* b = (byte*)heap.Allocate(4 * MiB);
        Assert.Equal(0, heap.Core.RunScavengerCycle().GrowthBytes);
        Assert.Equal(MiB, heap.AssertConsistent().IdleBytes);
        heap.Free(b);
        heap.Free(guard);
    }

    internal static void FreeTouched(SpanHeap heap, int bytes)
    {
        byte* p = (byte*)heap.Allocate((nuint)bytes);
        new Span<byte>(p, bytes).Fill(0x5A);
        heap.Free(p);
    }

    private static void AllocateAndFreeSmall(SpanHeap heap, int count)
    {
        var blocks = new List<nint>();
        var random = new Random(count);
        for (int i = 0; i < count; i++)
        {
            int size = random.Next(1, 2048);
            byte* p = (byte*)heap.Allocate((nuint)size);
            p[0] = 1;
            blocks.Add((nint)p);
        }

        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }
    }

    /// <summary>Runs cycles until one releases nothing; returns the bytes released.</summary>
    private static long RunUntilQuiet(SpanHeap heap)
    {
        long total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            Scavenger.CycleResult result = heap.Core.RunScavengerCycle();
            if (result.DecayBytes + result.LimitBytes == 0)
            {
                return total;
            }

            total += result.DecayBytes + result.LimitBytes;
        }

        throw new InvalidOperationException("the scavenger never went quiet");
    }

    private static bool IsReleased(SpanHeap heap, byte* address)
    {
        HeapSpan span = heap.Core.Pages.FindSpan((nuint)address);
        Arena arena = heap.Core.Pages.ArenaOf(span);
        return arena.IsReleased((int)(((nuint)address - arena.Base) >> Pages.PageShift));
    }

    /// <summary>An OS layer whose release calls take a fixed time, to test pacing deterministically.</summary>
    private sealed class SlowOs(TimeSpan delay) : IOsMemory
    {
        private readonly OsMemory _real = new(protectReleased: false);

        public int PageSize => _real.PageSize;

        public bool ReleasedPagesReadZero => _real.ReleasedPagesReadZero;

        public bool ReuseNeedsCommit => false;

        public void* Reserve(nuint size, nuint alignment) => _real.Reserve(size, alignment);

        public bool Release(void* address, nuint size)
        {
            Thread.Sleep(delay);
            return _real.Release(address, size);
        }

        public bool Commit(void* address, nuint size) => true;

        public void Unreserve(void* address, nuint size) => _real.Unreserve(address, size);

        public int HugePageSize => 0;

        public void* ReserveMetadata(nuint size, nuint alignment) => _real.ReserveMetadata(size, alignment);

        public bool DiscardMetadata(void* address, nuint size) => _real.DiscardMetadata(address, size);

        public bool AdviseHugePages(void* address, nuint size, bool huge) => false;
    }
}
