namespace NativeMap.Caching;

/// <summary>
/// A snapshot of a <see cref="NativeDistributedCache"/>'s contents and counters, from
/// <see cref="NativeDistributedCache.GetStatistics"/>; the same figures the <c>NativeMap.Caching</c> meter publishes.
/// </summary>
/// <remarks>The counters are summed over the store's shards without stopping the cache, so under concurrent use they
/// are a moment's approximation; when the cache is quiet they are exact.</remarks>
public readonly record struct NativeDistributedCacheStatistics
{
    /// <summary>Entries stored, including expired ones the scan has not reclaimed yet (they are never returned).</summary>
    public long EntryCount { get; init; }

    /// <summary>Bytes the entries occupy as <see cref="NativeDistributedCacheOptions.SizeLimit"/> counts them: keys,
    /// values, headers and per-entry overhead.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Reads (<c>Get</c>, <c>TryGet</c>, <c>Refresh</c>, async or not) that found a live entry. A refresh
    /// counts, as in <c>MemoryCache</c>, whose statistics see <c>MemoryDistributedCache.Refresh</c> as a read.</summary>
    public long Hits { get; init; }

    /// <summary>Reads that found no live entry.</summary>
    public long Misses { get; init; }

    /// <summary>Entries removed to stay within <see cref="NativeDistributedCacheOptions.SizeLimit"/>.</summary>
    public long Evictions { get; init; }

    /// <summary>Expired entries reclaimed, by a read, a write or the background scan.</summary>
    public long Expirations { get; init; }
}
