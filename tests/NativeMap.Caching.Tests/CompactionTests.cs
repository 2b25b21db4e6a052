using Microsoft.Extensions.Time.Testing;
using NativeMap.Allocator;

namespace NativeMap.Caching.Tests;

/// <summary>
/// <see cref="NativeDistributedCacheOptions.Compaction"/> reaches the store: on the real heap, removing nine entries
/// in ten (scattered) leaves the spans a tenth full; the automatic mode packs them again, its off switch, trigger ratio
/// and minimum leave them sparse, the background scan compacts once writes stop, and <see cref="NativeDistributedCache.Compact"/>
/// packs them on demand.
/// </summary>
public sealed class CompactionTests(ITestOutputHelper output)
{
    private const int Count = 50_000;
    private const int ValueBytes = 1000;
    private static readonly DistributedCacheEntryOptions s_none = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Which compaction settings compact during the deletes of <see cref="Thin"/> (one shard, so that its
    /// ~95,000 writes pass the trigger check every <see cref="CompactionOptions.CheckInterval"/> writes many times).</summary>
    public static TheoryData<string, CompactionOptions, bool> WriteDrivenCases => new()
    {
        { "defaults", new CompactionOptions(), true },
        { "off", new CompactionOptions { Automatic = false }, false },
        { "trigger above the fragmentation", new CompactionOptions { TriggerRatio = 50 }, false },
        { "minimum above what packing frees", new CompactionOptions { MinReclaimableBytes = 1L << 30 }, false },
    };

    [Theory]
    [MemberData(nameof(WriteDrivenCases))]
    public void ScatteredRemoves_CompactDuringTheWrites_AsTheOptionsSay(string name, CompactionOptions compaction, bool compacts)
    {
        using var cache = new NativeDistributedCache(new NativeDistributedCacheOptions
        {
            TimeProvider = _clock,
            SizeLimit = null,
            ExpirationScanInterval = Timeout.InfiniteTimeSpan, // writes only: no background steps
            Compaction = compaction,
            ShardCount = 1,
        });

        Thin(cache);
        double ratio = Ratio(cache.Heap, name);

        if (compacts)
        {
            Assert.True(ratio < 3, $"{name}: spans {ratio:F1}x the bytes in use after the deletes: the automatic mode did not compact");
        }
        else
        {
            Assert.True(ratio > 4, $"{name}: spans only {ratio:F1}x the bytes in use: something compacted");
        }

        CheckSurvivors(cache);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Background_CompactsOnceWritesStop_UnlessOff(bool automatic)
    {
        // The default shard count: each shard sees too few writes to look at its trigger during the deletes (every
        // 4,096 writes), so what packs the spans is the scan's timer, driven here by the fake clock.
        using var cache = new NativeDistributedCache(new NativeDistributedCacheOptions
        {
            TimeProvider = _clock,
            SizeLimit = null,
            Compaction = new CompactionOptions { Automatic = automatic },
        });

        Thin(cache);
        for (int i = 0; i < 20 && Ratio(cache.Heap, $"tick {i}") >= 1.5; i++)
        {
            _clock.Advance(NativeDistributedCacheOptions.DefaultExpirationScanInterval);
        }

        double ratio = Ratio(cache.Heap, "after the ticks");
        if (automatic)
        {
            Assert.True(ratio < 1.5, $"spans {ratio:F1}x the bytes in use after 20 scans: the background did not compact");
        }
        else
        {
            Assert.True(ratio > 4, $"spans only {ratio:F1}x the bytes in use with compaction off");
        }

        CheckSurvivors(cache);
    }

    [Fact]
    public void Compact_PacksTheSpans_WithAutomaticOff_AndKeepsEveryEntry()
    {
        using var cache = new NativeDistributedCache(new NativeDistributedCacheOptions
        {
            TimeProvider = _clock,
            SizeLimit = null,
            ExpirationScanInterval = Timeout.InfiniteTimeSpan,
            Compaction = new CompactionOptions { Automatic = false },
        });
        Thin(cache);
        Assert.True(Ratio(cache.Heap, "before") > 4);

        long moved = cache.Compact();
        output.WriteLine($"moved {moved >> 20} MiB");

        Assert.True(moved > 0);
        Assert.True(Ratio(cache.Heap, "after") < 1.3, "Compact() left the spans sparse");
        Assert.True(cache.Heap.FreeOSMemory() > 0, "the emptied spans did not go back");
        CheckSurvivors(cache);
    }

    [Fact]
    public void Compact_AfterDispose_Throws()
    {
        var cache = new NativeDistributedCache(new NativeDistributedCacheOptions { TimeProvider = _clock });
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Compact());
    }

    /// <summary>Writes <see cref="Count"/> entries of <see cref="ValueBytes"/> bytes, then removes every one whose index
    /// is not a multiple of 10: every span is left about a tenth full.</summary>
    private static void Thin(NativeDistributedCache cache)
    {
        byte[] value = new byte[ValueBytes];
        for (int i = 0; i < Count; i++)
        {
            BitConverter.TryWriteBytes(value, i);
            cache.Set(Key(i), value, s_none);
        }

        for (int i = 0; i < Count; i++)
        {
            if (i % 10 != 0)
            {
                cache.Remove(Key(i));
            }
        }
    }

    private static void CheckSurvivors(NativeDistributedCache cache)
    {
        Assert.Equal(Count / 10, cache.GetStatistics().EntryCount);
        for (int i = 0; i < Count; i += 10)
        {
            byte[]? value = cache.Get(Key(i));
            Assert.NotNull(value);
            Assert.Equal(ValueBytes, value.Length);
            Assert.Equal(i, BitConverter.ToInt32(value));
        }
    }

    /// <summary>The heap's small-block span bytes over the bytes in use in them (1 is perfectly packed).</summary>
    private double Ratio(SpanHeap heap, string when)
    {
        FragmentationTotals totals = heap.GetFragmentationTotals();
        double ratio = (double)totals.SmallSpanBytes / Math.Max(1, totals.SmallUsedBytes);
        output.WriteLine($"{when}: small spans {totals.SmallSpanBytes >> 20} MiB for {totals.SmallUsedBytes >> 20} MiB in use ({ratio:F2}x)");
        return ratio;
    }

    private static string Key(int i) => $"key-{i}";
}
