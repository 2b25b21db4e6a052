using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeMap.BytesBenchmarks.Memory;

namespace NativeMap.BytesBenchmarks;

public static class Program
{
    /// <summary>
    /// <c>memory [options]</c> runs the memory and GC program (Memory/MemoryProgram.cs); <c>memory-child …</c> is one of
    /// its children; anything else goes to BenchmarkSwitcher (<c>--filter</c>, <c>--job short</c>, …). The exit code is
    /// non-zero if anything failed.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == MemoryProgram.Command)
        {
            return MemoryProgram.Run(args[1..], Console.Out, Console.Error);
        }

        if (args.Length > 0 && args[0] == MemoryChild.Command)
        {
            return MemoryChild.Run(args[1..], Console.Out);
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
