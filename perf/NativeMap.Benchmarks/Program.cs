using BenchmarkDotNet.Running;
using NativeMap.Benchmarks.Map;

namespace NativeMap.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>growth [count]</c> runs the growth latency and memory comparison (Map/GrowthProgram.cs); anything else goes to
    /// BenchmarkSwitcher (<c>--filter</c>, <c>--job short</c>, ...).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "growth")
        {
            return GrowthProgram.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
