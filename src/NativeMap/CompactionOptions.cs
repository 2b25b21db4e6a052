namespace NativeMap;

/// <summary>
/// How a <see cref="NativeBytesMap"/> (and each shard of a <see cref="ConcurrentNativeBytesMap"/>) compacts: moves
/// entries out of sparse spans so that the spans empty and their memory can go back to the OS. Every option, its
/// default, unit and why, in one table; <see cref="Validate"/> checks them.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>option</term><description>default · unit · why</description></listheader>
/// <item><term><see cref="Automatic"/></term><description>true. False is the off switch: only an explicit
/// <c>Compact()</c> moves entries.</description></item>
/// <item><term><see cref="TriggerRatio"/></term><description>1.25 · the heap's small-block span bytes over the bytes of
/// the blocks in use in them (<c>SpanHeap.GetFragmentationTotals</c>). Above it the map starts a pass. Freshly filled
/// spans run at about 1.05 (the tail of each span and the partly used last span of each class), so 1.25 means a quarter
/// of the spans' room is holes.</description></item>
/// <item><term><see cref="MinReclaimableBytes"/></term><description>4 MiB · bytes that packing the spans would free
/// (the heap's <c>ReclaimableBytes</c>). Below this a pass is not worth its moves, whatever the ratio: small heaps never
/// compact.</description></item>
/// <item><term><see cref="EntriesPerWrite"/></term><description>8 · entries examined per write during a pass (whole
/// buckets, so a little more). Bounds the work a write adds: at most this many moves (about 0.8 µs each for a 1 KB
/// entry), typically a fraction of them.</description></item>
/// <item><term><see cref="CheckInterval"/></term><description>4,096 · writes between two looks at the trigger: a heap
/// statistics read every few thousand writes costs nothing measurable.</description></item>
/// </list>
/// </remarks>
public sealed record CompactionOptions
{
    /// <summary>Whether writes compact incrementally when the trigger fires.</summary>
    public bool Automatic { get; init; } = true;

    /// <summary>The fragmentation (small-block span bytes / bytes in use in them, heap-wide) that starts a pass; above 1.</summary>
    public double TriggerRatio { get; init; } = 1.25;

    /// <summary>The least the heap's packing would free (its reclaimable bytes) for a pass to start; at least 0.</summary>
    public long MinReclaimableBytes { get; init; } = 4L << 20;

    /// <summary>Entries a write examines during a pass, 1 to 4,096.</summary>
    public int EntriesPerWrite { get; init; } = 8;

    /// <summary>Writes between two looks at the trigger, 1 to 2^24.</summary>
    public int CheckInterval { get; init; } = 4096;

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> (or a subtype) naming the first bad one.</summary>
    public void Validate()
    {
        if (!(TriggerRatio > 1.0) || double.IsInfinity(TriggerRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(TriggerRatio), TriggerRatio, $"{nameof(TriggerRatio)} must be a finite number above 1.");
        }

        if (MinReclaimableBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinReclaimableBytes), MinReclaimableBytes, $"{nameof(MinReclaimableBytes)} must not be negative.");
        }

        if (EntriesPerWrite < 1 || EntriesPerWrite > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(EntriesPerWrite), EntriesPerWrite, $"{nameof(EntriesPerWrite)} must be from 1 to 4,096.");
        }

        if (CheckInterval < 1 || CheckInterval > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckInterval), CheckInterval, $"{nameof(CheckInterval)} must be from 1 to 2^24.");
        }
    }
}
