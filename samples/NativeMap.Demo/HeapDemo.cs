using System.Diagnostics;
using NativeMap.Allocator;

namespace NativeMap.Demo;

/// <summary>
/// The heap's promise, watched: about 1 GiB written in mixed sizes, freed, then RSS and the heap's figures printed
/// every second while the pages stay warm for the decay and then go back to the OS by themselves; then the same with
/// <see cref="SpanHeap.FreeOSMemory"/>, which returns them at once.
/// </summary>
public static unsafe class HeapDemo
{
    private const long GiB = 1L << 30;
    private static readonly TimeSpan s_decay = TimeSpan.FromSeconds(4);

    public static void Run(TextWriter output)
    {
        output.WriteLine($"== SpanHeap: freed memory goes back to the OS by itself after the decay ({s_decay.TotalSeconds:F0} s here) ==");
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "demo", ScavengeDecay = s_decay });
        var table = new MemoryTable(output, heap);
        table.Row("start");

        List<nint> blocks = AllocateAndWrite(heap, GiB, seed: 1);
        table.Row($"wrote {blocks.Count:N0} blocks");

        FreeAll(heap, blocks);
        var sinceFree = Stopwatch.StartNew();
        table.Row("freed all");
        while (sinceFree.Elapsed < s_decay + TimeSpan.FromSeconds(3))
        {
            Thread.Sleep(1000);
            HeapStats stats = table.Row(sinceFree.Elapsed < s_decay ? "warm (within decay)" : "scavenger releasing");
            if (sinceFree.Elapsed > s_decay && stats.IdleBytes == 0)
            {
                break;
            }
        }

        table.Row("released by decay");
        output.WriteLine();
        output.WriteLine("== FreeOSMemory: release every free page now ==");
        blocks = AllocateAndWrite(heap, GiB / 2, seed: 2);
        table.Row("wrote 512 MiB again");
        FreeAll(heap, blocks);
        table.Row("freed all");
        long released = heap.FreeOSMemory();
        table.Row($"FreeOSMemory: {released >> 20} MiB");
        output.WriteLine();
    }

    /// <summary>Allocates about <paramref name="total"/> bytes — 10 % in blocks of 16 B–4 KiB, 30 % of 4–64 KiB, the
    /// rest of 64 KiB–4 MiB — and writes every byte.</summary>
    private static List<nint> AllocateAndWrite(SpanHeap heap, long total, int seed)
    {
        var random = new Random(seed);
        var blocks = new List<nint>();
        long written = 0;
        while (written < total)
        {
            int roll = random.Next(10);
            int size = roll == 0 ? random.Next(16, 4096) : roll <= 3 ? random.Next(4096, 64 << 10) : random.Next(64 << 10, 4 << 20);
            byte* p = (byte*)heap.Allocate((nuint)size);
            new Span<byte>(p, size).Fill((byte)size);
            blocks.Add((nint)p);
            written += size;
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
