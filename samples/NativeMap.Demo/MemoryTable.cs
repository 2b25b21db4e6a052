using System.Diagnostics;
using NativeMap.Allocator;

namespace NativeMap.Demo;

/// <summary>Prints one row per call: time, what just happened, the process's RSS and the heap's page figures.</summary>
public sealed class MemoryTable
{
    private readonly TextWriter _output;
    private readonly SpanHeap _heap;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public MemoryTable(TextWriter output, SpanHeap heap)
    {
        _output = output;
        _heap = heap;
        _output.WriteLine($"{"t",6}  {"event",-28} {"RSS",9} {"in use",9} {"idle",9} {"released",9}");
    }

    public HeapStats Row(string label)
    {
        HeapStats stats = _heap.GetStats();
        _output.WriteLine($"{_clock.Elapsed.TotalSeconds,5:F1}s  {label,-28} {MiB(ProcessMemory.GetResidentBytes()),9} " +
            $"{MiB(stats.InUseBytes),9} {MiB(stats.IdleBytes),9} {MiB(stats.ReleasedBytes),9}");
        return stats;
    }

    private static string MiB(long bytes) => $"{bytes / (1024.0 * 1024.0),6:F0} MiB";
}
