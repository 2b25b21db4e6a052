using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeMap.Benchmarks.Map;

namespace NativeMap.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>growth [count]</c> runs the growth latency and memory comparison (Map/GrowthProgram.cs); <c>heapmemory</c> what
    /// the heap keeps after frees (Heap/HeapMemoryProgram.cs); anything else goes to
    /// BenchmarkSwitcher (<c>--filter</c>, <c>--job short</c>, ...); the exit code is 1 if any benchmark failed.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "growth")
        {
            return GrowthProgram.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "heapmemory")
        {
            return Heap.HeapMemoryProgram.Run(args[1..]);
        }

        // Non-zero when a benchmark failed (a build error, an exception, an Agreement check), so scripts notice.
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
