using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Heap;

/// <summary>
/// Transparent huge pages on and off (<see cref="SpanHeapOptions.HugePages"/>), each on a heap of its own, same data:
/// <list type="bullet">
/// <item><c>Load</c>: a dependent random load chain over a 512 MiB block — every load's address comes from the previous
/// load, one 64-byte line per step in a random cyclic order (Sattolo), so each step is a cache miss and, on 4 KiB pages,
/// a TLB miss with a page walk (nested, under this VM). Reported per load.</item>
/// <item><c>Lookup</c>: <see cref="NativeMap{TKey,TValue}.TryGetValue"/> of 4 M random <c>long</c> keys present in the
/// map of 8 M, in shuffled order (bucket array of 288 MiB, as at 10 M). Reported per lookup.</item>
/// </list>
/// Setup prints the kernel's <c>AnonHugePages</c> for each heap, so a run shows whether huge pages were really used.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[BenchmarkCategory("heap", "hugepages")]
public unsafe class HugePageBenchmarks
{
    private const int BlockBytes = 512 << 20;
    private const int Line = 64;
    private const int Loads = 1 << 20;
    private const int MapEntries = 8 << 20;
    private const int Lookups = 1 << 20;

    private SpanHeap _smallHeap = null!;
    private SpanHeap _hugeHeap = null!;
    private byte* _smallBlock;
    private byte* _hugeBlock;
    private NativeMap<long, long> _smallMap = null!;
    private NativeMap<long, long> _hugeMap = null!;
    private long[] _probe = null!;
    private long _cursor;

    [GlobalSetup]
    public void Setup()
    {
        _smallHeap = new SpanHeap(new SpanHeapOptions { Name = "bench-4k", HugePages = false });
        _hugeHeap = new SpanHeap(new SpanHeapOptions { Name = "bench-2m", HugePages = true });
        _smallBlock = BuildChain(_smallHeap);
        _hugeBlock = BuildChain(_hugeHeap);

        var random = new Random(42);
        var keys = new long[MapEntries];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = random.NextInt64();
        }

        _smallMap = Fill(_smallHeap, keys);
        _hugeMap = Fill(_hugeHeap, keys);
        random.Shuffle(keys);
        _probe = keys[..Lookups];

        foreach (SpanHeap heap in new[] { _smallHeap, _hugeHeap })
        {
            HeapResidency r = heap.ReadResidency();
            Console.WriteLine($"// {heap.Name}: huge pages {(heap.HugePagesActive ? "on" : "off")}, advised {r.HugePageAdvisedBytes >> 20} MiB, " +
                $"AnonHugePages {r.HugePageBytes >> 20} MiB of {r.ResidentBytes >> 20} MiB resident (THP {r.TransparentHugePageMode})");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _smallMap.Dispose();
        _hugeMap.Dispose();
        _smallHeap.Free(_smallBlock);
        _hugeHeap.Free(_hugeBlock);
        _smallHeap.Dispose();
        _hugeHeap.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Loads)]
    [BenchmarkCategory("load")]
    public long Load4KiBPages() => Chase(_smallBlock);

    [Benchmark(OperationsPerInvoke = Loads)]
    [BenchmarkCategory("load")]
    public long Load2MiBPages() => Chase(_hugeBlock);

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("lookup")]
    public long Lookup4KiBPages() => Lookup(_smallMap);

    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("lookup")]
    public long Lookup2MiBPages() => Lookup(_hugeMap);

    private long Chase(byte* block)
    {
        long at = _cursor;
        for (int i = 0; i < Loads; i++)
        {
            at = *(long*)(block + at);
        }

        _cursor = at;
        return at;
    }

    private long Lookup(NativeMap<long, long> map)
    {
        long sum = 0;
        foreach (long key in _probe)
        {
            if (map.TryGetValue(key, out long value))
            {
                sum += value;
            }
        }

        return sum;
    }

    /// <summary>A 512 MiB block whose lines form one random cycle (Sattolo's shuffle): line i holds the offset of the next.</summary>
    private static byte* BuildChain(SpanHeap heap)
    {
        byte* block = (byte*)heap.AllocateZeroed(BlockBytes);
        int lines = BlockBytes / Line;
        var order = new int[lines];
        for (int i = 0; i < lines; i++)
        {
            order[i] = i;
        }

        var random = new Random(7);
        for (int i = lines - 1; i > 0; i--)
        {
            int j = random.Next(i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        for (int i = 0; i < lines; i++)
        {
            *(long*)(block + ((long)order[i] * Line)) = (long)order[(i + 1) % lines] * Line;
        }

        return block;
    }

    private static NativeMap<long, long> Fill(SpanHeap heap, long[] keys)
    {
        var map = new NativeMap<long, long>(keys.Length, heap);
        foreach (long key in keys)
        {
            map[key] = key;
        }

        return map;
    }
}
