using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

/// <summary>What a compactor needs: the defrag hint, relocation into the fullest spans, fragmentation figures.</summary>
public sealed unsafe class CompactionTests
{
    private const int Size = 1000; // class 1,024: 8 blocks per 8 KiB span

    [Fact]
    public void ScatteredFrees_ThenMovingWhatTheHintPicks_EmptiesTheSparseSpans_AndKeepsEveryByte()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        const int count = 8_000;
        var blocks = new nint[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = (nint)heap.Allocate(Size);
            Pattern.Fill((void*)blocks[i], Size, (ulong)i);
        }

        for (int i = 0; i < count; i++)
        {
            if (i % 10 != 0)
            {
                heap.Free((void*)blocks[i]);
                blocks[i] = 0;
            }
        }

        heap.FreeOSMemory();
        HeapFragmentation before = heap.GetFragmentation();
        SizeClassFragmentation cls = Assert.Single(before.Classes);
        Assert.Equal(1024, cls.BlockSize);
        Assert.Equal(800, cls.UsedBlocks);
        Assert.Equal(800, cls.Spans); // 4 spans in 5 keep a live block: those could not be released
        Assert.Equal((800 - 100) * 8192L, before.ReclaimableBytes);
        Assert.True(before.SpanToUsedRatio > 7.5);

        FragmentationTotals totals = heap.GetFragmentationTotals();
        Assert.Equal((before.SmallSpanBytes, before.SmallUsedBytes, before.ReclaimableBytes), (totals.SmallSpanBytes, totals.SmallUsedBytes, totals.ReclaimableBytes));
        HeapStats stats = heap.GetStats();
        Assert.Equal((before.SmallSpanBytes, before.SmallUsedBytes, before.ReclaimableBytes), (stats.SmallSpanBytes, stats.SmallUsedBytes, stats.SmallReclaimableBytes));
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            totals = heap.GetFragmentationTotals();
        }

        Assert.Equal(allocatedBefore, GC.GetAllocatedBytesForCurrentThread()); // no managed allocation: a trigger inside writes

        int moved = 0;
        for (int i = 0; i < count; i += 10)
        {
            if (heap.ShouldMove((void*)blocks[i]))
            {
                blocks[i] = (nint)heap.Relocate((void*)blocks[i]);
                moved++;
            }
        }

        heap.FreeOSMemory();
        heap.AssertConsistent();
        HeapFragmentation after = heap.GetFragmentation();
        SizeClassFragmentation packed = Assert.Single(after.Classes);
        Assert.True(packed.Spans <= 100 + 2, $"{packed.Spans} spans hold 800 blocks after {moved} moves");
        Assert.True(after.ReclaimableBytes <= 2 * 8192);
        Assert.Equal(after.SmallSpanBytes, heap.GetFragmentationTotals().SmallSpanBytes);
        Assert.True(moved < 800, "blocks in the spans being filled stay put");
        for (int i = 0; i < count; i += 10)
        {
            Assert.True(Pattern.Check((void*)blocks[i], Size, (ulong)i), $"block {i} changed in the move");
            heap.Free((void*)blocks[i]);
        }

        heap.AssertConsistent();
    }

    [Fact]
    public void Hint_SaysNoForFullSpans_ForTheAllocationSpan_AndForSpansAboveTheAverage()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        // Three spans: 8/8 (full), then after frees 2/8 and 6/8.
        nint[] a = AllocateSpan(heap), b = AllocateSpan(heap), c = AllocateSpan(heap);
        for (int i = 2; i < 8; i++)
        {
            heap.Free((void*)b[i]);
        }

        for (int i = 6; i < 8; i++)
        {
            heap.Free((void*)c[i]);
        }

        heap.FreeOSMemory(); // the frees reach the spans

        BlockOccupancy full = heap.GetOccupancy((void*)a[0]);
        Assert.Equal((8, 8), (full.SpanUsed, full.SpanCapacity));
        Assert.False(full.ShouldMove);

        BlockOccupancy fullest = heap.GetOccupancy((void*)c[0]);
        Assert.Equal(6, fullest.SpanUsed);
        Assert.True(fullest.IsAllocationSpan, "the fullest partial span is where the next refill draws from");
        Assert.False(fullest.ShouldMove);

        BlockOccupancy sparse = heap.GetOccupancy((void*)b[0]);
        Assert.Equal(2, sparse.SpanUsed);
        Assert.False(sparse.IsAllocationSpan);
        Assert.Equal(0.625, sparse.ClassAverageOccupancy, 3); // (8 + 2) / 2 spans / 8, the allocation span left out
        Assert.True(sparse.ShouldMove);
        Assert.Equal(1024, sparse.BlockSize);

        // The move lands in the fullest partial span (c), not in a cached or sparse block.
        byte* moved = (byte*)heap.Relocate((void*)b[0]);
        Assert.InRange((nuint)moved, (nuint)c[0], (nuint)c[0] + 8191);
        Assert.Equal(7, heap.GetOccupancy(moved).SpanUsed);

        void* big = heap.Allocate(1 << 20);
        BlockOccupancy large = heap.GetOccupancy(big);
        Assert.False(large.IsSmall || large.ShouldMove);
        heap.Free(big);
        heap.Free(moved);
        foreach (nint p in a.Concat(b[1..2]).Concat(c[1..6]))
        {
            heap.Free((void*)p);
        }

        heap.AssertConsistent();
    }

    [Fact]
    public void Refill_TakesTheFullestPartialSpanFirst()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        nint[] sparse = AllocateSpan(heap), dense = AllocateSpan(heap), middle = AllocateSpan(heap);
        FreeRange(heap, sparse, 1, 8);   // 1/8
        FreeRange(heap, dense, 7, 8);    // 7/8
        FreeRange(heap, middle, 4, 8);   // 4/8
        heap.FreeOSMemory();             // caches drained: the next allocation refills from the central list

        byte* p = (byte*)heap.Allocate(Size);
        Assert.InRange((nuint)p, (nuint)dense[0], (nuint)dense[0] + 8191);
        heap.AssertConsistent();
        heap.Free(p);
        FreeRange(heap, sparse, 0, 1);
        FreeRange(heap, dense, 0, 7);
        FreeRange(heap, middle, 0, 4);
        heap.AssertConsistent();
    }

    [Fact]
    public void Relocate_BadPointers_ThrowAndChangeNothing()
    {
        using SpanHeap heap = Heaps.Quiet();
        byte* p = (byte*)heap.Allocate(Size);
        Assert.Throws<ArgumentException>(() => heap.Relocate(p + 16));
        Assert.Throws<ArgumentException>(() => heap.GetOccupancy(p + 16));
        heap.Free(p);
        Assert.Throws<ArgumentException>(() => heap.Relocate(p));
        byte* large = (byte*)heap.Allocate(100_000);
        Pattern.Fill(large, 100_000, 5);
        byte* movedLarge = (byte*)heap.Relocate(large);
        Assert.True(Pattern.Check(movedLarge, 100_000, 5));
        heap.Free(movedLarge);
        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
        heap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => heap.GetFragmentation());
    }

    [Fact]
    public void Relocate_ConcurrentlyFromSeveralThreads_EachOnItsOwnBlocks_OfOneSharedClass()
    {
        // As the sharded store does: every thread compacts its own blocks under its own lock, all in one size class,
        // so the moves race on the same spans and central list.
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        const int threads = 4, perThread = 8_000;
        var blocks = new nint[threads][];
        for (int t = 0; t < threads; t++)
        {
            blocks[t] = new nint[perThread];
        }

        for (int i = 0; i < perThread; i++)
        {
            for (int t = 0; t < threads; t++)
            {
                blocks[t][i] = (nint)heap.Allocate(Size); // interleaved: the threads' blocks share spans
                Pattern.Fill((void*)blocks[t][i], 64, (ulong)((t * perThread) + i));
            }
        }

        Parallel.For(0, threads, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                if (!Kept(t, i))
                {
                    heap.Free((void*)blocks[t][i]);
                    blocks[t][i] = 0;
                }
            }
        });
        heap.FreeOSMemory();
        long spansBefore = heap.GetFragmentationTotals().SmallSpanBytes;

        int moves = 0;
        Parallel.For(0, threads, t =>
        {
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < perThread; i++)
                {
                    if (Kept(t, i) && heap.ShouldMove((void*)blocks[t][i]))
                    {
                        blocks[t][i] = (nint)heap.Relocate((void*)blocks[t][i]);
                        Interlocked.Increment(ref moves);
                    }
                }
            }
        });

        heap.FreeOSMemory();
        HeapStats stats = heap.AssertConsistent();
        Assert.True(moves > 0);
        Assert.True(stats.SmallSpanBytes < spansBefore / 3, $"small spans {stats.SmallSpanBytes >> 10} KiB after {moves} moves, {spansBefore >> 10} KiB before");
        for (int t = 0; t < threads; t++)
        {
            for (int i = 0; i < perThread; i++)
            {
                if (Kept(t, i))
                {
                    Assert.True(Pattern.Check((void*)blocks[t][i], 64, (ulong)((t * perThread) + i)));
                    heap.Free((void*)blocks[t][i]);
                }
            }
        }

        Assert.Equal(0, heap.AssertConsistent().LiveObjects);

        // One block in ten kept, counted in allocation order, so a span keeps one or two blocks of different threads.
        static bool Kept(int thread, int index) => ((index * threads) + thread) % 10 == 0;
    }

    [Fact]
    public void Relocate_FromManyThreads_KeepsTheHeapConsistent()
    {
        using SpanHeap heap = Heaps.Quiet(arenaSize: 64L << 20);
        Parallel.For(0, 4, t =>
        {
            var mine = new List<nint>();
            var random = new Random(t);
            for (int i = 0; i < 4_000; i++)
            {
                byte* p = (byte*)heap.Allocate((nuint)random.Next(16, 2048));
                *(int*)p = i;
                mine.Add((nint)p);
                if (random.Next(3) == 0)
                {
                    int k = random.Next(mine.Count);
                    heap.Free((void*)mine[k]);
                    mine.RemoveAt(k);
                }
            }

            for (int k = 0; k < mine.Count; k++)
            {
                int value = *(int*)mine[k];
                if (heap.ShouldMove((void*)mine[k]))
                {
                    mine[k] = (nint)heap.Relocate((void*)mine[k]);
                }

                Assert.Equal(value, *(int*)mine[k]);
            }

            mine.ForEach(p => heap.Free((void*)p));
        });
        Assert.Equal(0, heap.AssertConsistent().LiveObjects);
    }

    private static nint[] AllocateSpan(SpanHeap heap)
    {
        var blocks = new nint[8];
        for (int i = 0; i < 8; i++)
        {
            blocks[i] = (nint)heap.AllocateForMoveForTests(Size);
        }

        for (int i = 1; i < 8; i++)
        {
            Assert.Equal(blocks[0] + (i * 1024), blocks[i]);
        }

        return blocks;
    }

    private static void FreeRange(SpanHeap heap, nint[] blocks, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            heap.Free((void*)blocks[i]);
        }
    }
}

internal static unsafe class CompactionTestExtensions
{
    /// <summary>A block from the central list, not the thread cache: consecutive calls fill one fresh span in order.</summary>
    public static void* AllocateForMoveForTests(this SpanHeap heap, nuint size) => heap.Core.AllocateForMove(size, zero: false);
}
