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
/// <item><term><see cref="SizeLimit"/></term><description>200 MiB · bytes. The most the entries may occupy: keys,
/// values, the per-entry header and the store's slot overhead, all counted. Above it the least recently used entries
/// are evicted to make room for a write. <c>MemoryDistributedCache</c>
/// defaults to the same 200 MiB, so a switch keeps a bound of the same order (it counts value bytes only, so ours
/// holds somewhat fewer entries of tiny values). Null: no limit.</description></item>
/// <item><term><see cref="ExpirationScanInterval"/></term><description>1 s. How often the background scan looks for
/// expired entries. An expired entry is never returned, whether or not the scan has reached it; the scan only
/// returns its memory. Redis's active expiry runs ten times a second; a second is enough when reads check lazily,
/// and it keeps an idle cache near idle.</description></item>
/// <item><term><see cref="ExpirationScanBudget"/></term><description>1,000 entries per shard per scan. A bound on the
/// work of one scan, so that a scan holds a shard's lock only for microseconds (Redis's active expiry samples 20
/// keys per round and repeats while a quarter of them were expired; this is the same idea with a larger sample).</description></item>
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

    /// <summary>The default <see cref="ExpirationScanBudget"/>: 1,000 entries per shard per scan.</summary>
    public const int DefaultExpirationScanBudget = 1000;

    /// <summary>The default <see cref="ScavengeDecay"/>: the heap's, 10 seconds.</summary>
    public static readonly TimeSpan DefaultScavengeDecay = SpanHeapOptions.DefaultScavengeDecay;

    /// <summary>Bytes the entries may occupy (keys, values, headers and slot overhead); the least recently used are
    /// evicted to stay within it. Null means no limit. Default <see cref="DefaultSizeLimit"/>.</summary>
    public long? SizeLimit { get; set; } = DefaultSizeLimit;

    /// <summary>How often the background scan reclaims expired entries; <see cref="Timeout.InfiniteTimeSpan"/> turns
    /// the scan off (expired entries are then reclaimed only when read, overwritten or evicted). Default one second.</summary>
    public TimeSpan ExpirationScanInterval { get; set; } = DefaultExpirationScanInterval;

    /// <summary>The most entries one scan examines in each shard. Default <see cref="DefaultExpirationScanBudget"/>.</summary>
    public int ExpirationScanBudget { get; set; } = DefaultExpirationScanBudget;

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

        if (ExpirationScanBudget <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpirationScanBudget), ExpirationScanBudget, $"{nameof(ExpirationScanBudget)} must be positive.");
        }

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
