using System.Diagnostics;

namespace NativeMap.Allocator.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Poll
{
    /// <summary>Polls every 20 ms until <paramref name="condition"/> holds or <paramref name="deadline"/> passes.
    /// Returns the time it took, or null on timeout.</summary>
    public static TimeSpan? Until(Func<bool> condition, TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (condition())
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > deadline)
            {
                return null;
            }

            Thread.Sleep(20);
        }
    }
}
