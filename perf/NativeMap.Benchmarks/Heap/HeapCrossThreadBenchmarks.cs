using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativeMap.Allocator;

namespace NativeMap.Benchmarks.Heap;

/// <summary>
/// Two threads: one allocates and hands each block over a single-producer/single-consumer ring, the other frees it —
/// every free is a cross-thread free (the producer-consumer pattern of a pipeline). Reported per block.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("heap", "cross-thread")]
public unsafe class HeapCrossThreadBenchmarks
{
    private const int Blocks = 200_000;
    private const int RingSize = 1024;
    private SpanHeap _heap = null!;

    [Params(64, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _heap = new SpanHeap(new SpanHeapOptions { Name = "bench-cross" });

    [GlobalCleanup]
    public void Cleanup() => _heap.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Blocks)]
    public void NativeMemoryCrossThread() => Run(static size => (nint)NativeMemory.Alloc(size), static p => NativeMemory.Free((void*)p));

    [Benchmark(OperationsPerInvoke = Blocks)]
    public void SpanHeapCrossThread()
    {
        SpanHeap heap = _heap;
        Run(size => (nint)heap.Allocate(size), p => heap.Free((void*)p));
    }

    private void Run(Func<nuint, nint> allocate, Action<nint> free)
    {
        var ring = new nint[RingSize];
        long head = 0, tail = 0;
        nuint size = (nuint)Size;
        var consumer = new Thread(() =>
        {
            for (int i = 0; i < Blocks; i++)
            {
                var spinner = default(SpinWait);
                while (Volatile.Read(ref head) == tail)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                nint p = ring[tail % RingSize];
                *(byte*)p = 2;
                free(p);
                Volatile.Write(ref tail, tail + 1);
            }
        });
        consumer.Start();
        for (int i = 0; i < Blocks; i++)
        {
            var spinner = default(SpinWait);
            while (head - Volatile.Read(ref tail) == RingSize)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            nint p = allocate(size);
            *(byte*)p = 1;
            ring[head % RingSize] = p;
            Volatile.Write(ref head, head + 1);
        }

        consumer.Join();
    }
}
