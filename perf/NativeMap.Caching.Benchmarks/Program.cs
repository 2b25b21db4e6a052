using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeMap.Caching.Benchmarks.Scale;

namespace NativeMap.Caching.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>scale [--quick] [--n N] [--value V] [--out DIR]</c> runs the side-by-side scale comparison (Scale/ScaleProgram.cs),
    /// each cache in a child process of its own; anything else goes to BenchmarkSwitcher (<c>--filter</c>, <c>--job short</c>, ...).
    /// The exit code is 1 if anything failed.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "scale")
        {
            return ScaleProgram.Run(args[1..]);
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
