using System.Diagnostics;
using NativeMap.Allocator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NativeMap.Allocator.Tests;

/// <summary>
/// mimalloc test-stress in miniature: threads allocate random sizes, fill them with a pattern, and swap blocks through
/// shared slots so that most blocks are checked and freed by a thread other than the one that allocated them. A 1 ms
/// decay keeps the scavenger releasing pages that are reused a moment later, and one more thread keeps calling
/// FreeOSMemory (draining every thread's cache) and Validate (holding every cache and lock) while they run.
/// </summary>
public sealed unsafe class StressTests(ITestOutputHelper output)
{
    [Fact]
    public void ManyThreads_CrossThreadFreesWithScavengerRacing_NoCorruption()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "stress", ScavengeDecay = TimeSpan.FromMilliseconds(1), ArenaSize = 4 << 20 });
        const int Threads = 4;
        const int Slots = 4096;
        var slots = new Block?[Slots];
        long checkedBlocks = 0;
        int corrupt = 0;
        var deadline = Stopwatch.StartNew();
        TimeSpan duration = TimeSpan.FromSeconds(4);

        // Run for the duration and until enough blocks crossed threads (a loaded machine, such as CI running the test
        // assemblies side by side on two cores, may need longer), within a generous cap.
        const long MinCrossings = 10_000;
        TimeSpan cap = TimeSpan.FromSeconds(60);
        bool Running() => deadline.Elapsed < cap && (deadline.Elapsed < duration || Interlocked.Read(ref checkedBlocks) < MinCrossings);

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(seed + t);
            var mine = new List<Block>();
            while (Running())
            {
                for (int i = 0; i < 256; i++)
                {
                    var block = Block.Allocate(heap, random);
                    if (random.Next(4) == 0)
                    {
                        mine.Add(block);
                    }
                    else
                    {
                        int slot = random.Next(Slots);
                        Block? previous = Interlocked.Exchange(ref slots[slot], block);
                        if (previous is not null)
                        {
                            if (!previous.CheckAndFree(heap))
                            {
                                Interlocked.Increment(ref corrupt);
                            }

                            Interlocked.Increment(ref checkedBlocks);
                        }
                    }
                }

                while (mine.Count > 64)
                {
                    int victim = random.Next(mine.Count);
                    if (!mine[victim].CheckAndFree(heap))
                    {
                        Interlocked.Increment(ref corrupt);
                    }

                    mine[victim] = mine[^1];
                    mine.RemoveAt(mine.Count - 1);
                }
            }

            foreach (Block block in mine)
            {
                if (!block.CheckAndFree(heap))
                {
                    Interlocked.Increment(ref corrupt);
                }
            }
        })).ToList();

        int validations = 0;
        var meddler = new Thread(() =>
        {
            while (Running())
            {
                heap.Validate();
                validations++;
                _ = heap.FreeOSMemory();
                Thread.Sleep(50);
            }
        });

        workers.ForEach(w => w.Start());
        meddler.Start();
        workers.ForEach(w => w.Join());
        meddler.Join();

        foreach (Block? block in slots)
        {
            if (block is not null && !block.CheckAndFree(heap))
            {
                corrupt++;
            }
        }

        HeapStats stats = heap.AssertConsistent();
        output.WriteLine($"{checkedBlocks} blocks checked across threads, {validations} concurrent validations, " +
            $"{stats.ReleasedByDecayBytes >> 20} MiB released by decay, {stats.ReleasedByForceBytes >> 20} MiB by force");
        Assert.Equal(0, corrupt);
        Assert.Equal(0, stats.LiveObjects);
        Assert.True(checkedBlocks >= MinCrossings, $"only {checkedBlocks} blocks crossed threads in {deadline.Elapsed.TotalSeconds:F0} s");
        Assert.True(stats.ReleasedByDecayBytes > 0, "the scavenger released pages during the run");

        heap.FreeOSMemory();
        Assert.Equal(0, heap.AssertConsistent().InUseBytes);
    }

    private sealed class Block
    {
        public readonly nint Address;
        public readonly nuint Size;
        public readonly ulong Seed;

        private Block(nint address, nuint size, ulong seed)
        {
            Address = address;
            Size = size;
            Seed = seed;
        }

        public static Block Allocate(SpanHeap heap, Random random)
        {
            // Mostly small, some medium, a few large (mimalloc's mix).
            int roll = random.Next(100);
            nuint size = roll < 80 ? (nuint)random.Next(1, 512)
                : roll < 98 ? (nuint)random.Next(512, 32 << 10)
                : (nuint)random.Next(32 << 10, 1 << 20);
            ulong seed = (ulong)random.NextInt64();
            bool zeroed = random.Next(4) == 0;
            void* p = zeroed ? heap.AllocateZeroed(size) : heap.Allocate(size);
            if (zeroed && !Pattern.IsZero(p, size))
            {
                throw new InvalidOperationException($"AllocateZeroed({size}) returned non-zero memory");
            }

            // Large blocks: pattern only the first and last 4 KiB to keep the run fast.
            if (size > 16 << 10)
            {
                Pattern.Fill(p, 4096, seed);
                Pattern.Fill((byte*)p + size - 4096, 4096, ~seed);
            }
            else
            {
                Pattern.Fill(p, size, seed);
            }

            return new Block((nint)p, size, seed);
        }

        public bool CheckAndFree(SpanHeap heap)
        {
            bool ok = Size > 16 << 10
                ? Pattern.Check((void*)Address, 4096, Seed) && Pattern.Check((byte*)Address + Size - 4096, 4096, ~Seed)
                : Pattern.Check((void*)Address, Size, Seed);
            heap.Free((void*)Address);
            return ok;
        }
    }
}
