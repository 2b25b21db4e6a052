using Microsoft.Extensions.Time.Testing;

namespace NativeMap.Allocator.Tests.Infrastructure;

/// <summary>Heaps for tests.</summary>
internal static class Heaps
{
    /// <summary>A heap whose scavenger never runs by itself: the test drives cycles with a fake clock.</summary>
    public static SpanHeap Manual(FakeTimeProvider clock, TimeSpan? decay = null, long? limit = null, IOsMemory? os = null,
        long arenaSize = SpanHeapOptions.MinArenaSize, bool decayEnabled = true) =>
        new(new SpanHeapOptions
        {
            TimeProvider = clock,
            ScavengeDecay = decay ?? TimeSpan.FromSeconds(10),
            ScavengerEnabled = decayEnabled,
            MemoryLimit = limit,
            ArenaSize = arenaSize,
            OsMemory = os,
            StartScavengerThread = false,
        });

    /// <summary>A heap with no background release at all.</summary>
    public static SpanHeap Quiet(IOsMemory? os = null, long arenaSize = SpanHeapOptions.MinArenaSize) =>
        new(new SpanHeapOptions { ScavengerEnabled = false, OsMemory = os, ArenaSize = arenaSize });

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Asserts the heap's invariants and that its page accounting adds up.</summary>
    public static HeapStats AssertConsistent(this SpanHeap heap)
    {
        heap.Validate();
        HeapStats stats = heap.GetStats();
        Assert.Equal(stats.ReservedBytes, stats.InUseBytes + stats.IdleBytes + stats.ReleasedBytes);
        return stats;
    }
}
