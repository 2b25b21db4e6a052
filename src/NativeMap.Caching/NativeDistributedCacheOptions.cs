using Microsoft.Extensions.Options;
using NativeMap.Allocator;

namespace NativeMap.Caching;

/// <summary>
/// Settings of a <c>NativeDistributedCache</c>. Every option, its default, its unit and the reason for the
/// default live in this one table; <see cref="Validate"/> checks them all, and the cache calls it at construction.
/// </summary>
/// <remarks>
/// <para>The properties are settable so that <c>services.AddNativeDistributedCache(options =&gt; …)</c> and the options
/// pattern can configure them; a cache reads them once, when it is created, and later changes have no effect on it.</para>
/// <list type="table">
/// <listheader><term>option</term><description>default · unit · why</description></listheader>
/// <item><term><see cref="SizeLimit"/></term><description>200 MiB · bytes. The most the entries may occupy in the
/// heap: each entry's block (key, value, sliding header, deadline and access stamp, rounded up to its size class) and
/// the store's bucket arrays, all counted. Above it the least recently used entries
/// are evicted to make room for a write. <c>MemoryDistributedCache</c>
/// defaults to the same 200 MiB, so a switch keeps a bound of the same order (it counts value bytes only, so ours
/// holds somewhat fewer entries of tiny values). Null: no limit.</description></item>
/// <item><term><see cref="ExpirationScanInterval"/></term><description>1 s. How often the background scan reclaims
/// expired entries. An expired entry is never returned, whether or not the scan has reached it; the scan only
/// returns its memory. Each scan is Redis's active expiry: it samples 20 entries with a deadline at a time, shard by
/// shard, keeps going while more than a tenth of a sample had expired, and stops after a quarter of the interval, so
/// it holds a shard's lock for microseconds at a time and costs at most a quarter of a core. Redis runs it ten times a
/// second; once a second reclaims a steady stream of expirations just as well and keeps an idle cache near idle.</description></item>
/// <item><term><see cref="EvictionSamples"/></term><description>5 · entries. How many entries an eviction samples to
/// find the least recently used (with a pool of the 16 best candidates kept between evictions): Redis's
/// <c>maxmemory-samples</c> default. 10 comes very close to true LRU at twice the cost of an eviction.</description></item>
/// <item><term><see cref="Compaction"/></term><description>automatic (<see cref="CompactionOptions"/>'s defaults:
/// trigger at 1.25 heap span bytes per byte in use, only when packing would free 4 MiB or more, 8 entries examined per
/// write). After scattered removes, evictions and expirations most of the heap's spans are left partly full, and a
/// span with one live entry cannot go back to the OS; compaction moves entries out of sparse spans into fuller ones so
/// that the spans empty. Writes do it a few entries at a time, and the background scan
/// (<see cref="ExpirationScanInterval"/>) carries a pass on when writes stop, so with the scan off only writes and
/// <c>NativeDistributedCache.Compact()</c> compact. <c>Compaction = new() { Automatic = false }</c> turns the automatic
/// mode off: entries then move only on <c>Compact()</c>. <see cref="CompactionOptions"/> has the table of its options.</description></item>
/// <item><term><see cref="ScavengeDecay"/></term><description>10 s (<see cref="SpanHeapOptions.DefaultScavengeDecay"/>).
/// Used when the cache creates its own heap: how long freed pages stay warm before they go back to the OS.</description></item>
/// <item><term><see cref="MemoryLimit"/></term><description>none · bytes. Used when the cache creates its own heap: the
/// heap's soft limit on resident memory (<see cref="SpanHeapOptions.MemoryLimit"/>). It releases free pages early; it
/// never evicts entries (that is <see cref="SizeLimit"/>'s job).</description></item>
/// <item><term><see cref="Heap"/></term><description>null. A heap to allocate from instead of one of the cache's own;
/// the cache then ignores <see cref="ScavengeDecay"/> and <see cref="MemoryLimit"/> and never disposes the heap.</description></item>
/// <item><term><see cref="TimeProvider"/></term><description><see cref="TimeProvider.System"/>. The clock of every
/// expiration and of the background scan; tests pass a fake one.</description></item>
/// <item><term><see cref="Name"/></term><description><c>cache-N</c>. The <c>cache</c> tag of the metrics.</description></item>
/// </list>
/// </remarks>
public sealed class NativeDistributedCacheOptions : IOptions<NativeDistributedCacheOptions>
{
    /// <summary>The default <see cref="SizeLimit"/>: 200 MiB, as <c>MemoryDistributedCacheOptions</c>.</summary>
    public const long DefaultSizeLimit = 200L << 20;

    /// <summary>The default <see cref="ExpirationScanInterval"/>: one second.</summary>
    public static readonly TimeSpan DefaultExpirationScanInterval = TimeSpan.FromSeconds(1);

    /// <summary>The shortest <see cref="ExpirationScanInterval"/> accepted: 10 ms (a scan more often than that would
    /// only burn CPU: expired entries are never returned anyway).</summary>
    public static readonly TimeSpan MinExpirationScanInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The default <see cref="EvictionSamples"/>: 5, Redis's <c>maxmemory-samples</c>.</summary>
    public const int DefaultEvictionSamples = 5;

    /// <summary>The most <see cref="EvictionSamples"/> accepted: 64.</summary>
    public const int MaxEvictionSamples = 64;

    /// <summary>The default <see cref="ScavengeDecay"/>: the heap's, 10 seconds.</summary>
    public static readonly TimeSpan DefaultScavengeDecay = SpanHeapOptions.DefaultScavengeDecay;

    /// <summary>Heap bytes the entries may occupy (entry blocks and the store's tables); the least recently used are
    /// evicted to stay within it. Null means no limit. Default <see cref="DefaultSizeLimit"/>.</summary>
    public long? SizeLimit { get; set; } = DefaultSizeLimit;

    /// <summary>How often the background scan reclaims expired entries; <see cref="Timeout.InfiniteTimeSpan"/> turns
    /// the scan off (expired entries are then reclaimed only when read, overwritten or evicted). Default one second.</summary>
    public TimeSpan ExpirationScanInterval { get; set; } = DefaultExpirationScanInterval;

    /// <summary>Entries an eviction samples to find the least recently used one, 1 to <see cref="MaxEvictionSamples"/>.
    /// Default <see cref="DefaultEvictionSamples"/>.</summary>
    public int EvictionSamples { get; set; } = DefaultEvictionSamples;

    /// <summary>How the store compacts the heap after scattered removes (see the table above and
    /// <see cref="CompactionOptions"/>). Default: automatic, with <see cref="CompactionOptions"/>'s defaults. Not null.</summary>
    public CompactionOptions Compaction { get; set; } = new();

    /// <summary>How long freed pages stay resident before the heap returns them to the OS, when the cache creates its
    /// own heap. Default <see cref="DefaultScavengeDecay"/>.</summary>
    public TimeSpan ScavengeDecay { get; set; } = DefaultScavengeDecay;

    /// <summary>Soft limit on the resident bytes of the cache's own heap; null (the default) means none.</summary>
    public long? MemoryLimit { get; set; }

    /// <summary>A heap to allocate from; null (the default) gives the cache a heap of its own, disposed with it.</summary>
    public SpanHeap? Heap { get; set; }

    /// <summary>The clock of expiration and of the background scan. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The <c>cache</c> tag on this cache's metrics. Null (the default) gives <c>cache-N</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Test seam: the store's shard count (a power of two); null for the store's default (8 per core, at
    /// least 16). One shard makes the size limit's table overhead, and so the entries a limit holds, deterministic.</summary>
    internal int? ShardCount { get; set; }

    NativeDistributedCacheOptions IOptions<NativeDistributedCacheOptions>.Value => this;

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> (or a subtype) naming the first bad one.</summary>
    public void Validate()
    {
        if (SizeLimit is { } limit && limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SizeLimit), limit, $"{nameof(SizeLimit)} must be positive, or null for no limit.");
        }

        if (ExpirationScanInterval != Timeout.InfiniteTimeSpan && ExpirationScanInterval < MinExpirationScanInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpirationScanInterval), ExpirationScanInterval,
                $"{nameof(ExpirationScanInterval)} must be at least {MinExpirationScanInterval.TotalMilliseconds} ms, or Timeout.InfiniteTimeSpan to turn the scan off.");
        }

        if (EvictionSamples < 1 || EvictionSamples > MaxEvictionSamples)
        {
            throw new ArgumentOutOfRangeException(nameof(EvictionSamples), EvictionSamples, $"{nameof(EvictionSamples)} must be from 1 to {MaxEvictionSamples}.");
        }

        if (Compaction is null)
        {
            throw new ArgumentNullException(nameof(Compaction));
        }

        // The store's own table owns these ranges, as the heap's does for the heap options.
        Compaction.Validate();

        if (Heap is null)
        {
            // The heap's own table owns these ranges; check them through it so that the two never disagree.
            new SpanHeapOptions { ScavengeDecay = ScavengeDecay, MemoryLimit = MemoryLimit }.Validate();
        }
        else if (Heap.IsDisposed)
        {
            throw new ArgumentException("The heap is disposed.", nameof(Heap));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider));
        }
    }
}
