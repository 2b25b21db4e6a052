using System.Diagnostics;
using System.Globalization;
using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// The life cycle of one variant, in its own process: warm up, then for each step wait for the orchestrator's go, run
/// it, sample, report. Samples stream to standard output as they are taken.
/// </summary>
public static class ChildRun
{
    /// <summary>Keys in the warm-up, which runs the whole life cycle once on a map of its own so that the code is
    /// compiled and the runtime's one-time allocations are made before the baseline is read.</summary>
    private const int WarmUpCount = 50_000;

    /// <summary>The scavenger variant's idle may end once the heap has no more than this many bytes of idle pages: 1 MiB.
    /// Not zero: a few pages freed late (a thread cache the scavenger drains after it has sat idle) start a decay of
    /// their own, and waiting for them would stretch the run by a whole decay for nothing visible in RSS.</summary>
    private const long IdleSettledBytes = 1L << 20;

    public static int Run(RunSettings settings, Variant variant, TextReader commands, TextWriter output)
    {
        var keys = new KeySequence(settings.Count, settings.Seed);
        int removeFirst = (int)(settings.Count * 9L / 10);

        WarmUp(variant, settings);
        using MapUnderTest map = MapUnderTest.Create(variant, settings.Decay);
        using var sampler = new Sampler(RunSettings.SampleInterval, map.GetHeapStats, sample => ChildProtocol.WriteSample(output, sample));
        ChildProtocol.WriteReady(output);

        foreach (string step in Phases.Steps)
        {
            ChildProtocol.WaitForGo(commands, step);
            if (step == Phases.Baseline)
            {
                sampler.Start();
            }

            sampler.Phase = step;
            var took = Stopwatch.StartNew();
            switch (step)
            {
                case Phases.Baseline:
                    Thread.Sleep(settings.Baseline);
                    break;
                case Phases.Fill:
                    map.Fill(keys);
                    Expect(map.Count == settings.Count, $"after the fill the map holds {map.Count:N0} entries, not {settings.Count:N0}");
                    break;
                case Phases.Remove90:
                    map.Remove(keys, 0, removeFirst);
                    Expect(map.Count == settings.Count - removeFirst, $"after removing 90 % the map holds {map.Count:N0} entries");
                    break;
                case Phases.RemoveRest:
                    map.Remove(keys, removeFirst, settings.Count);
                    Expect(map.Count == 0, $"after removing every key the map holds {map.Count:N0} entries");
                    break;
                case Phases.Drop:
                    map.Drop();
                    if (!variant.UsesSpanHeap)
                    {
                        // Shows the dictionary really was collected, whatever RSS does: the GC may keep the memory.
                        ChildProtocol.WriteLog(output, string.Create(CultureInfo.InvariantCulture,
                            $"after the drop: GC heap {GC.GetTotalMemory(forceFullCollection: false) / 1048576.0:F1} MiB live, {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F1} MiB committed"));
                    }

                    if (variant.FreeOSMemoryAfterDrop)
                    {
                        sampler.SampleNow();
                        sampler.Phase = Phases.FreeOSMemory;
                        long released = map.FreeOSMemory();
                        ChildProtocol.WriteLog(output, string.Create(CultureInfo.InvariantCulture, $"FreeOSMemory() released {released / 1048576.0:F1} MiB"));
                    }

                    break;
                case Phases.Idle:
                    Idle(settings, variant, map, sampler, output);
                    break;
                default:
                    throw new InvalidOperationException($"no such step: {step}");
            }

            sampler.SampleNow();
            ChildProtocol.WriteDone(output, step, took.Elapsed);
        }

        return 0;
    }

    /// <summary>
    /// Idles for <see cref="RunSettings.Idle"/>. With the scavenger on, idles on while the heap still has more than
    /// <see cref="IdleSettledBytes"/> of idle pages, up to <see cref="RunSettings.IdleExtensionLimit"/> more: on a loaded
    /// machine the scavenger thread may run late, and the run should show what it does, not when a busy machine let it.
    /// </summary>
    private static void Idle(RunSettings settings, Variant variant, MapUnderTest map, Sampler sampler, TextWriter output)
    {
        var idle = Stopwatch.StartNew();
        Thread.Sleep(settings.Idle);
        if (!variant.ScavengerEnabled)
        {
            return;
        }

        TimeSpan deadline = settings.Idle + RunSettings.IdleExtensionLimit;
        while (map.GetHeapStats() is { IdleBytes: > IdleSettledBytes } && idle.Elapsed < deadline)
        {
            Thread.Sleep(RunSettings.SampleInterval);
        }

        if (idle.Elapsed > settings.Idle + RunSettings.SampleInterval)
        {
            HeapStats? stats = map.GetHeapStats();
            ChildProtocol.WriteLog(output, string.Create(CultureInfo.InvariantCulture,
                $"idled {idle.Elapsed.TotalSeconds:F1} s, {(idle.Elapsed - settings.Idle).TotalSeconds:F1} s more than planned, " +
                $"waiting for the scavenger; {stats?.IdleBytes / 1048576.0:F1} MiB still idle at {sampler.Elapsed.TotalSeconds:F1} s"));
        }
    }

    private static void WarmUp(Variant variant, RunSettings settings)
    {
        var keys = new KeySequence(WarmUpCount, settings.Seed ^ 0xFFFF);
        using (MapUnderTest map = MapUnderTest.Create(variant, settings.Decay))
        {
            map.Fill(keys);
            map.Remove(keys, 0, WarmUpCount);
            map.Drop();
            map.GetHeapStats();
        }

        _ = ProcessMemory.GetResidentBytes();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
