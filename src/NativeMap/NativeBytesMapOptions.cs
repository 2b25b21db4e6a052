using NativeMap.Allocator;

namespace NativeMap;

/// <summary>
/// Immutable settings of a <see cref="NativeBytesMap"/>. Every option, its default and why, in one table;
/// <see cref="Validate"/> checks them, and the map calls it at construction.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>option</term><description>default · unit · why</description></listheader>
/// <item><term><see cref="Heap"/></term><description><see cref="SpanHeap.Shared"/>. Where every byte of the map comes from.</description></item>
/// <item><term><see cref="Capacity"/></term><description>0 · entries. Room made at construction; the map never shrinks below it until <see cref="NativeBytesMap.TrimExcess"/>.</description></item>
/// <item><term><see cref="Compaction"/></term><description>automatic, see <see cref="CompactionOptions"/>.</description></item>
/// </list>
/// </remarks>
public sealed record NativeBytesMapOptions
{
    /// <summary>The heap that supplies every byte of the map; null means <see cref="SpanHeap.Shared"/>.</summary>
    public SpanHeap? Heap { get; init; }

    /// <summary>Entries to make room for at construction, at least 0.</summary>
    public int Capacity { get; init; }

    /// <summary>How the map compacts its entries after scattered deletes.</summary>
    public CompactionOptions Compaction { get; init; } = new();

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> (or a subtype) naming the first bad one.</summary>
    public void Validate()
    {
        if (Capacity < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "Capacity must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(Compaction, nameof(Compaction));
        Compaction.Validate();
    }
}
