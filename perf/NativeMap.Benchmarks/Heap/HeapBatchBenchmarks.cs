using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Heap;

/// <summary>
/// Allocate a batch of blocks, touching one byte per page of each, then free them all — the pattern of a structure
/// that grows and is dropped (a bucket array and its overflow buckets). Reported per allocate+free pair. glibc
/// serves blocks of 128 KiB and more with mmap and munmap here (and trims its heap top), so every batch faults its
/// pages in again; the span heap keeps freed pages resident for the decay.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("heap", "batch")]
public unsafe class HeapBatchBenchmarks
{
    private SpanHeap _heap = null!;
    private nint[] _blocks = null!;

    [Params(16, 64, 256, 4096, 65536, 1048576)]
    public int Size { get; set; }

    /// <summary>1,000 blocks, or 64 MiB worth for the large sizes.</summary>
    private int Count => Math.Min(1000, (64 << 20) / Size);

    [GlobalSetup]
    public void Setup()
    {
        _heap = new SpanHeap(new SpanHeapOptions { Name = "bench-batch" });
        _blocks = new nint[Count];
    }

    [GlobalCleanup]
    public void Cleanup() => _heap.Dispose();

    [Benchmark(Baseline = true)]
    public void NativeMemoryBatch()
    {
        nuint size = (nuint)Size;
        nint[] blocks = _blocks;
        for (int i = 0; i < blocks.Length; i++)
        {
            byte* p = (byte*)NativeMemory.Alloc(size);
            Touch(p, size);
            blocks[i] = (nint)p;
        }

        for (int i = 0; i < blocks.Length; i++)
        {
            NativeMemory.Free((void*)blocks[i]);
        }
    }

    [Benchmark]
    public void SpanHeapBatch()
    {
        SpanHeap heap = _heap;
        nuint size = (nuint)Size;
        nint[] blocks = _blocks;
        for (int i = 0; i < blocks.Length; i++)
        {
            byte* p = (byte*)heap.Allocate(size);
            Touch(p, size);
            blocks[i] = (nint)p;
        }

        for (int i = 0; i < blocks.Length; i++)
        {
            heap.Free((void*)blocks[i]);
        }
    }

    private static void Touch(byte* p, nuint size)
    {
        for (nuint offset = 0; offset < size; offset += 4096)
        {
            p[offset] = 1;
        }
    }
}
