namespace NativeMap.Caching.Tests.Infrastructure;

/// <summary>
/// Size limits for tests, measured rather than computed: the size limit counts heap bytes (entry blocks rounded to
/// their size classes, and the store's bucket arrays), so the bytes that hold N entries of a shape are read off a
/// one-shard cache that holds them. Keys of equal length and values of equal length make equal blocks; the bucket
/// array is the same for the same count; only an overflow bucket (112 bytes, less than any entry block here) can
/// differ between two key sets, which is why tests allow one eviction more than the arithmetic.
/// </summary>
public static class SizeProbe
{
    public static long BytesFor(int entries, int keyLength, int valueLength, bool sliding = false)
    {
        using var probe = new NativeDistributedCache(new NativeDistributedCacheOptions { SizeLimit = null, ShardCount = 1 });
        var options = sliding ? new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) } : new DistributedCacheEntryOptions();
        for (int i = 0; i < entries; i++)
        {
            probe.Set(i.ToString("D", System.Globalization.CultureInfo.InvariantCulture).PadLeft(keyLength, 'p'), new byte[valueLength], options);
        }

        return probe.GetStatistics().SizeBytes;
    }
}
