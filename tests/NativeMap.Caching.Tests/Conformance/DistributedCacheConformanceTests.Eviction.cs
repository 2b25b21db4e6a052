namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// The size limit: the least recently used entries (by read or write) go first, and an entry larger than the whole
/// limit is never stored. The reference refuses a write past the limit and compacts on the thread pool
/// (<c>MemoryCache.TriggerOvercapacityCompaction</c>, which removes the least recently used 5 % of the limit); a write
/// repeated after that is stored. <see cref="SetUntilStored"/> makes one test fit both behaviours, and
/// <see cref="EvictsOnWrite"/> tightens it for a cache that evicts at once.
/// </summary>
public abstract partial class DistributedCacheConformanceTests
{
    private const int EvictionValueLength = 100;

    private static string EvictionKey(int i) => $"evict:{i:D2}";

    [Fact]
    public void SizeLimit_EvictsTheLeastRecentlyUsedFirst()
    {
        IBufferDistributedCache cache = Own(CreateCache(Clock, SizeLimitFor(10, EvictionKey(0).Length, EvictionValueLength)));

        // Ten entries fill the cache; the clock moves between accesses so that the reference's LastAccessed times differ.
        for (int i = 0; i < 10; i++)
        {
            cache.Set(EvictionKey(i), Bytes(EvictionValueLength, seed: i), s_none);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Read the first five: now 5..9 are the least recently used, oldest first.
        for (int i = 0; i < 5; i++)
        {
            Assert.NotNull(cache.Get(EvictionKey(i)));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        for (int i = 10; i < 15; i++)
        {
            SetUntilStored(cache, EvictionKey(i), Bytes(EvictionValueLength, seed: i));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Least recently used first: what is left is a suffix of the access order, and holds the five new entries.
        int[] accessOrder = [5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14];
        bool[] present = accessOrder.Select(i => Peek(cache, i)).ToArray();
        int firstPresent = Array.IndexOf(present, true);
        Assert.True(firstPresent >= 5, $"at least five entries must have been evicted; present: {Describe(accessOrder, present)}");
        Assert.True(present.Skip(firstPresent).All(static p => p), $"evicted out of LRU order; present: {Describe(accessOrder, present)}");

        if (EvictsOnWrite)
        {
            // The five least recently used made room at once; a sixth may go when the limit's accounting of the table
            // (an overflow bucket) differs by less than an entry, never more.
            Assert.True(firstPresent <= 6, $"more evicted than the writes needed; present: {Describe(accessOrder, present)}");
        }
    }

    [Fact]
    public void SizeLimit_EntryLargerThanTheLimit_IsNotStoredAndDropsTheOldValue()
    {
        IBufferDistributedCache cache = Own(CreateCache(Clock, SizeLimitFor(10, 3, EvictionValueLength)));
        cache.Set("big", Bytes(10), s_none);
        cache.Set("other", Bytes(10, seed: 2), s_none);

        cache.Set("big", Bytes(EvictionValueLength * 20), s_none);

        Assert.Null(cache.Get("big"));
        Assert.Equal(Bytes(10, seed: 2), cache.Get("other"));
    }

    /// <summary>Writes until the entry is stored: once for a cache that evicts on write; for the reference, again after
    /// its background compaction has made room.</summary>
    private void SetUntilStored(IBufferDistributedCache cache, string key, byte[] value)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            cache.Set(key, value, s_none);
            if (Peek(cache, key))
            {
                return;
            }

            Assert.False(EvictsOnWrite, $"{key} was not stored although the cache evicts on write");
            Assert.True(DateTime.UtcNow < deadline, $"{key} was never stored: no compaction made room");
            Thread.Sleep(20);
        }
    }

    private static bool Peek(IBufferDistributedCache cache, int i) => Peek(cache, EvictionKey(i));

    /// <summary>Whether the key is present. A read counts as a use, but every check happens after the last write and
    /// reads each key once, so it cannot change which entries were evicted.</summary>
    private static bool Peek(IBufferDistributedCache cache, string key) => cache.Get(key) is not null;

    private static string Describe(int[] order, bool[] present) =>
        string.Join(" ", order.Select((k, i) => present[i] ? $"{k}" : $"({k})"));
}
