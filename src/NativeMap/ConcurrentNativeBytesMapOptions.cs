using NativeMap.Allocator;

namespace NativeMap;

/// <summary>
/// Immutable settings of a <see cref="ConcurrentNativeBytesMap"/>. Every option, its default, unit and why, in one
/// table; <see cref="Validate"/> checks them and the store calls it at construction.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>option</term><description>default · unit · why</description></listheader>
/// <item><term><see cref="Heap"/></term><description><see cref="SpanHeap.Shared"/>. Give the store a heap of its own
/// to make the heap's statistics (in use, idle, released) the store's alone.</description></item>
/// <item><term><see cref="ShardCount"/></term><description>8 per processor, at least 16, at most 1024 · a power of two.
/// Each shard is a map behind its own lock; eight per core keeps two writers off one lock most of the time.</description></item>
/// <item><term><see cref="Capacity"/></term><description>0 · entries, spread over the shards.</description></item>
/// <item><term><see cref="TimeProvider"/></term><description><see cref="TimeProvider.System"/>. Deadlines are UTC ticks of
/// this clock (<c>GetUtcNow().UtcTicks</c>); the LRU clock and the background expiry timer use it too.</description></item>
/// <item><term><see cref="MemoryLimit"/></term><description>0 (none) · bytes of <see cref="ConcurrentNativeBytesMap.UsedBytes"/>.
/// Settable later (<see cref="ConcurrentNativeBytesMap.MemoryLimit"/>).</description></item>
/// <item><term><see cref="MemoryMeasure"/></term><description><see cref="NativeMap.MemoryMeasure.HeapBytes"/>: the
/// limit bounds the heap bytes the store holds (Redis's used_memory); <see cref="NativeMap.MemoryMeasure.KeyAndValueBytes"/>
/// bounds the stored bytes alone (as MemoryCache's size limit counts entry sizes).</description></item>
/// <item><term><see cref="EvictionPolicy"/></term><description><see cref="NativeMap.EvictionPolicy.NoEviction"/>, Redis's default.</description></item>
/// <item><term><see cref="EvictionSamples"/></term><description>5 · entries sampled per eviction, Redis's
/// <c>maxmemory-samples</c> default (10 comes very close to true LRU at twice the cost).</description></item>
/// <item><term><see cref="Compaction"/></term><description>automatic (<see cref="CompactionOptions"/>), per shard: each
/// shard's writes compact it a little at a time, and the maintenance timer (<see cref="ActiveExpiryInterval"/>) carries
/// passes on when writes stop.</description></item>
/// <item><term><see cref="ActiveExpiryInterval"/></term><description>100 ms, Redis's default <c>hz</c> of 10; each run is
/// bounded to a quarter of the interval (Redis's 25 %). Null turns the background cycle off; the owner may then call
/// <see cref="ConcurrentNativeBytesMap.RemoveExpired"/> itself.</description></item>
/// </list>
/// </remarks>
public sealed record ConcurrentNativeBytesMapOptions
{
    /// <summary>The most shards a store may have.</summary>
    public const int MaxShardCount = 1024;

    /// <summary>The default <see cref="ActiveExpiryInterval"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultActiveExpiryInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The heap for every byte of the store; null means <see cref="SpanHeap.Shared"/>.</summary>
    public SpanHeap? Heap { get; init; }

    /// <summary>The number of shards: a power of two from 1 to <see cref="MaxShardCount"/>.</summary>
    public int ShardCount { get; init; } = DefaultShardCount();

    /// <summary>Entries to make room for at construction (spread evenly over the shards), at least 0.</summary>
    public int Capacity { get; init; }

    /// <summary>The clock of deadlines, the LRU clock and the background expiry timer.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The initial memory limit in bytes (0: none), at least 0.</summary>
    public long MemoryLimit { get; init; }

    /// <summary>What <see cref="MemoryLimit"/> counts.</summary>
    public MemoryMeasure MemoryMeasure { get; init; } = MemoryMeasure.HeapBytes;

    /// <summary>The initial eviction policy.</summary>
    public EvictionPolicy EvictionPolicy { get; init; } = EvictionPolicy.NoEviction;

    /// <summary>Entries sampled per eviction, 1 to 64.</summary>
    public int EvictionSamples { get; init; } = 5;

    /// <summary>How each shard compacts after scattered deletes and evictions.</summary>
    public CompactionOptions Compaction { get; init; } = new();

    /// <summary>How often the background maintenance (active expiry, then compaction) runs; null for never. At least 1 ms.</summary>
    public TimeSpan? ActiveExpiryInterval { get; init; } = DefaultActiveExpiryInterval;

    /// <summary>Test seam: ANDed into every hash, to make keys collide on purpose.</summary>
    internal ulong HashMask { get; init; } = ulong.MaxValue;

    /// <summary>Test seam: the hash seed (null: random).</summary>
    internal long? Seed { get; init; }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> (or a subtype) naming the first bad one.</summary>
    public void Validate()
    {
        if (ShardCount < 1 || ShardCount > MaxShardCount || (ShardCount & (ShardCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, $"{nameof(ShardCount)} must be a power of two from 1 to {MaxShardCount}.");
        }

        if (Capacity < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, $"{nameof(Capacity)} must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (MemoryLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryLimit), MemoryLimit, $"{nameof(MemoryLimit)} must not be negative.");
        }

        if (!Enum.IsDefined(MemoryMeasure))
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryMeasure), MemoryMeasure, "Unknown memory measure.");
        }

        if (!Enum.IsDefined(EvictionPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(EvictionPolicy), EvictionPolicy, "Unknown eviction policy.");
        }

        if (EvictionSamples < 1 || EvictionSamples > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(EvictionSamples), EvictionSamples, $"{nameof(EvictionSamples)} must be from 1 to 64.");
        }

        ArgumentNullException.ThrowIfNull(Compaction, nameof(Compaction));
        Compaction.Validate();
        if (ActiveExpiryInterval is { } interval && interval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ActiveExpiryInterval), interval, $"{nameof(ActiveExpiryInterval)} must be at least 1 ms (or null for off).");
        }
    }

    private static int DefaultShardCount() =>
        (int)Math.Min(MaxShardCount, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 8 * Environment.ProcessorCount)));
}
