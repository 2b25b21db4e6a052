using NativeMap.Caching.Tests.Infrastructure;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>The conformance suite against <see cref="NativeDistributedCache"/>, on the test's fake clock, with the
/// expiration scan running on that clock too (so a reclaim can happen between any two steps of a test).</summary>
public sealed class NativeDistributedCacheConformanceTests : DistributedCacheConformanceTests
{
    protected override bool HonoursCancellation => true;

    protected override bool EvictsOnWrite => true;

    /// <summary>With a size limit, one shard (so the limit's table overhead is the probe's) and the largest eviction
    /// sample (so eviction is exact LRU on a small cache, as the reference's sort is).</summary>
    protected override IBufferDistributedCache CreateCache(TimeProvider clock, long? sizeLimit) =>
        new NativeDistributedCache(new NativeDistributedCacheOptions
        {
            TimeProvider = clock,
            SizeLimit = sizeLimit ?? NativeDistributedCacheOptions.DefaultSizeLimit,
            ExpirationScanInterval = TimeSpan.FromSeconds(1),
            ShardCount = sizeLimit is null ? null : 1,
            EvictionSamples = NativeDistributedCacheOptions.MaxEvictionSamples,
        });

    protected override long SizeLimitFor(int entries, int keyLength, int valueLength) => SizeProbe.BytesFor(entries, keyLength, valueLength);
}
