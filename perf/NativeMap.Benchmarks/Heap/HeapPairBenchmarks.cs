using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Heap;

/// <summary>
/// Allocate one block, touch it, free it — repeated. The pattern of a short-lived buffer. glibc serves it from its
/// per-thread tcache for small sizes, and for large sizes from its main heap once the first free has raised its
/// dynamic mmap threshold.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("heap", "pair")]
public unsafe class HeapPairBenchmarks
{
    private const int Operations = 1024;
    private SpanHeap _heap = null!;

    [Params(16, 64, 256, 4096, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _heap = new SpanHeap(new SpanHeapOptions { Name = "bench-pair" });

    [GlobalCleanup]
    public void Cleanup() => _heap.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void NativeMemoryPair()
    {
        nuint size = (nuint)Size;
        for (int i = 0; i < Operations; i++)
        {
            byte* p = (byte*)NativeMemory.Alloc(size);
            *p = 1;
            NativeMemory.Free(p);
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void SpanHeapPair()
    {
        SpanHeap heap = _heap;
        nuint size = (nuint)Size;
        for (int i = 0; i < Operations; i++)
        {
            byte* p = (byte*)heap.Allocate(size);
            *p = 1;
            heap.Free(p);
        }
    }
}
