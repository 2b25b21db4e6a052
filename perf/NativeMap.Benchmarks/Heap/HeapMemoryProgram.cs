using System.Globalization;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Heap;

/// <summary>
/// <c>heapmemory [blocks] [size]</c>: what the heap keeps after its blocks are freed. Allocates <c>blocks</c> blocks of
/// <c>size</c> bytes (default 1 M × 1,000 B, the issue's workload) on a fresh heap with the scavenger off, then prints,
/// after each phase, RSS above the start, the GC heap, and the heap's own figures: fill; free 9 of every 10 (every
/// block whose index is not a multiple of 10) and <c>FreeOSMemory</c>; move the live blocks the defrag hint picks
/// (<see cref="SpanHeap.ShouldMove"/>, <see cref="SpanHeap.Relocate"/>) and <c>FreeOSMemory</c>; free the rest and
/// <c>FreeOSMemory</c>; dispose.
/// The GC is collected before each reading, so the GC figures are what is live.
/// </summary>
internal static unsafe class HeapMemoryProgram
{
    private static long s_commit0;

    public static int Run(string[] args)
    {
        int blocks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        int size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        Workload(10_000, size); // warm-up: the code is compiled and the runtime's own first-use memory is in the baseline
        Console.SetOut(console);
        Workload(blocks, size);
        return 0;
    }

    private static void Workload(int blocks, int size)
    {
        Settle();
        long rss0 = ProcessMemory.GetResidentBytes();
        long gc0 = GC.GetTotalMemory(forceFullCollection: true);
        s_commit0 = GC.GetGCMemoryInfo().TotalCommittedBytes;
        Console.WriteLine($"{blocks:N0} blocks of {size:N0} B; baseline RSS {rss0 >> 20} MiB, GC heap {gc0 >> 20} MiB");
        Console.WriteLine("phase                               RSS+   GC heap+ GC commit+   live    in use      idle  metadata");

        var heap = new SpanHeap(new SpanHeapOptions { Name = "heapmemory", ScavengerEnabled = false });
        var pointers = new nint[blocks];
        for (int i = 0; i < blocks; i++)
        {
            byte* p = (byte*)heap.Allocate((nuint)size);
            p[0] = 1;
            p[size - 1] = 1;
            pointers[i] = (nint)p;
        }

        Print("filled", heap, rss0, gc0, (long)blocks * size);
        for (int i = 0; i < blocks; i++)
        {
            if (i % 10 != 0)
            {
                heap.Free((void*)pointers[i]);
                pointers[i] = 0;
            }
        }

        heap.FreeOSMemory();
        long live = (long)((blocks + 9) / 10) * size;
        Print("9 of 10 freed, FreeOSMemory", heap, rss0, gc0, live);
        HeapFragmentation fragmented = heap.GetFragmentation();

        // Compaction guided by the defrag hint: move the blocks whose span is no fuller than the class's average.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int moved = 0, asked = 0;
        for (int i = 0; i < blocks; i += 10)
        {
            asked++;
            if (heap.ShouldMove((void*)pointers[i]))
            {
                pointers[i] = (nint)heap.Relocate((void*)pointers[i]);
                moved++;
            }
        }

        TimeSpan moving = watch.Elapsed;
        heap.FreeOSMemory();
        Print("moved by the hint, FreeOSMemory", heap, rss0, gc0, live);
        HeapFragmentation compacted = heap.GetFragmentation();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {moved:N0} of {asked:N0} live blocks moved in {moving.TotalMilliseconds:F0} ms ({moving.TotalMilliseconds * 1e6 / Math.Max(1, asked):F0} ns per block asked, hint included); " +
            $"small spans {fragmented.SmallSpanBytes >> 20} -> {compacted.SmallSpanBytes >> 20} MiB for {compacted.SmallUsedBytes >> 20} MiB used"));
        for (int i = 0; i < blocks; i += 10)
        {
            heap.Free((void*)pointers[i]);
        }

        pointers = null!; // the program's own 8 MiB, so that what is left is the heap's
        heap.FreeOSMemory();
        Print("all freed, FreeOSMemory", heap, rss0, gc0, 0);
        heap.Dispose();
        Settle();
        Console.WriteLine($"{"disposed",-34}{(ProcessMemory.GetResidentBytes() - rss0) >> 20,5} MiB {(GC.GetTotalMemory(true) - gc0) >> 20,6} MiB {(GC.GetGCMemoryInfo().TotalCommittedBytes - s_commit0) >> 20,6} MiB");
    }

    private static void Print(string phase, SpanHeap heap, long rss0, long gc0, long live)
    {
        Settle();
        HeapStats stats = heap.GetStats();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{phase,-34}{(ProcessMemory.GetResidentBytes() - rss0) >> 20,5} MiB {(GC.GetTotalMemory(true) - gc0) >> 20,6} MiB {(GC.GetGCMemoryInfo().TotalCommittedBytes - s_commit0) >> 20,6} MiB {live >> 20,6} MiB {stats.InUseBytes >> 20,6} MiB {stats.IdleBytes >> 20,6} MiB {stats.MetadataBytes >> 20,6} MiB"));
    }

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}
