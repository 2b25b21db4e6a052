using NativeMap.Allocator;

namespace NativeMap.Caching.Tests;

public sealed class NativeDistributedCacheOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndValid()
    {
        var options = new NativeDistributedCacheOptions();

        Assert.Equal(200L << 20, options.SizeLimit);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ExpirationScanInterval);
        Assert.Equal(5, options.EvictionSamples);
        Assert.Equal(SpanHeapOptions.DefaultScavengeDecay, options.ScavengeDecay);
        Assert.Null(options.MemoryLimit);
        Assert.Null(options.Heap);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Null(options.Name);
        Assert.Equal(new CompactionOptions(), options.Compaction);
        Assert.True(options.Compaction.Automatic);
        options.Validate();
    }

    public static TheoryData<string, Action<NativeDistributedCacheOptions>> BadOptions => new()
    {
        { nameof(NativeDistributedCacheOptions.SizeLimit), static o => o.SizeLimit = 0 },
        { nameof(NativeDistributedCacheOptions.SizeLimit), static o => o.SizeLimit = -1 },
        { nameof(NativeDistributedCacheOptions.ExpirationScanInterval), static o => o.ExpirationScanInterval = TimeSpan.FromMilliseconds(9) },
        { nameof(NativeDistributedCacheOptions.ExpirationScanInterval), static o => o.ExpirationScanInterval = TimeSpan.FromSeconds(-5) },
        { nameof(NativeDistributedCacheOptions.EvictionSamples), static o => o.EvictionSamples = 0 },
        { nameof(NativeDistributedCacheOptions.EvictionSamples), static o => o.EvictionSamples = 65 },
        { nameof(SpanHeapOptions.ScavengeDecay), static o => o.ScavengeDecay = TimeSpan.FromSeconds(-1) },
        { nameof(SpanHeapOptions.MemoryLimit), static o => o.MemoryLimit = 0 },
        { nameof(NativeDistributedCacheOptions.TimeProvider), static o => o.TimeProvider = null! },
        { nameof(NativeDistributedCacheOptions.Compaction), static o => o.Compaction = null! },
        { nameof(CompactionOptions.TriggerRatio), static o => o.Compaction = new() { TriggerRatio = 1.0 } },
        { nameof(CompactionOptions.MinReclaimableBytes), static o => o.Compaction = new() { MinReclaimableBytes = -1 } },
        { nameof(CompactionOptions.EntriesPerWrite), static o => o.Compaction = new() { EntriesPerWrite = 0 } },
        { nameof(CompactionOptions.CheckInterval), static o => o.Compaction = new() { CheckInterval = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadOption_ThrowsNamingIt(string name, Action<NativeDistributedCacheOptions> spoil)
    {
        var options = new NativeDistributedCacheOptions();
        spoil(options);

        var thrown = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(name, thrown.ParamName);
    }

    [Fact]
    public void Validate_NoScan_IsAllowed()
    {
        new NativeDistributedCacheOptions { ExpirationScanInterval = Timeout.InfiniteTimeSpan, SizeLimit = null }.Validate();
    }

    [Fact]
    public void Validate_DisposedHeap_Throws()
    {
        var heap = new SpanHeap();
        heap.Dispose();

        var thrown = Assert.Throws<ArgumentException>(new NativeDistributedCacheOptions { Heap = heap }.Validate);
        Assert.Equal(nameof(NativeDistributedCacheOptions.Heap), thrown.ParamName);
    }

    [Fact]
    public void Validate_GivenHeap_IgnoresTheHeapOptions()
    {
        using var heap = new SpanHeap();
        new NativeDistributedCacheOptions { Heap = heap, ScavengeDecay = TimeSpan.FromSeconds(-1) }.Validate();
    }
}
