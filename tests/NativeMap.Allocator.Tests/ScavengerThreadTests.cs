using System.Globalization;
using NativeMap.Allocator.Tests.Infrastructure;

namespace NativeMap.Allocator.Tests;

/// <summary>The real scavenger thread, on the real clock. In the RSS collection: it counts the process's threads.</summary>
[Collection(RssCollection.Name)]
public sealed unsafe class ScavengerThreadTests
{
    [Fact]
    public void Thread_IsNamedBackgroundBelowNormal_AndReleasesAfterDecay()
    {
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "threaded", ScavengeDecay = TimeSpan.FromMilliseconds(200) });
        Assert.True(heap.Core.Scavenger.IsRunning);
        ScavengerTests.FreeTouched(heap, 4 << 20);

        Assert.NotNull(Poll.Until(() => heap.GetStats().IdleBytes == 0, TimeSpan.FromSeconds(10)));
        Assert.Equal(4 << 20, heap.GetStats().ReleasedByDecayBytes);
        heap.Validate();
    }

    [Fact]
    public void IdleHeap_ScavengerUsesNoCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        HashSet<string> before = ScavengerTasks();
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "idle", ScavengeDecay = TimeSpan.FromMilliseconds(50) });
        ScavengerTests.FreeTouched(heap, 4 << 20);
        Assert.NotNull(Poll.Until(() => heap.GetStats().IdleBytes == 0, TimeSpan.FromSeconds(10)));

        string task = Assert.Single(ScavengerTasks().Except(before));
        long cycles = heap.GetStats().ScavengerCycles;
        Assert.NotNull(Poll.Until(() => heap.Core.Scavenger.IsAsleepIndefinitely, TimeSpan.FromSeconds(10)));
        long wakeups = heap.Core.Scavenger.Wakeups;
        long cpuBefore = CpuTicks(task);
        Thread.Sleep(1500); // a measurement window of real time, not a wait for an event
        long cpuAfter = CpuTicks(task);

        Assert.Equal(wakeups, heap.Core.Scavenger.Wakeups);
        Assert.Equal(cpuBefore, cpuAfter);
        Assert.Equal(cycles, heap.GetStats().ScavengerCycles);
    }

    /// <summary>/proc paths of this process's threads whose name is the scavenger's (truncated to 15 characters).</summary>
    private static HashSet<string> ScavengerTasks() =>
        Directory.GetDirectories("/proc/self/task")
            .Where(dir => File.Exists(Path.Combine(dir, "comm")) && File.ReadAllText(Path.Combine(dir, "comm")).StartsWith("SpanHeap scaven", StringComparison.Ordinal))
            .Select(dir => Path.Combine("/proc", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "task", Path.GetFileName(dir)))
            .ToHashSet();

    /// <summary>utime + stime of a thread, in clock ticks (fields 14 and 15 of its stat line).</summary>
    private static long CpuTicks(string task)
    {
        string stat = File.ReadAllText(Path.Combine(task, "stat"));
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
