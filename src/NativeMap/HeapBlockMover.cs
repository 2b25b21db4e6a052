using NativeMap.Allocator;

namespace NativeMap;

/// <summary>
/// Compaction through the heap (<see cref="SpanHeap.GetOccupancy"/>, <see cref="SpanHeap.Relocate"/>): the mover every
/// map uses. A block moves when the heap's defrag hint says so (its span is no fuller than its class's average), or when
/// its span is at most half full — the hint alone leaves a class whose spans are all equally sparse where it is (none is
/// below the average): after a 90 % scattered delete of 100-byte entries it moved half of them and left the small-block
/// spans at 5x the bytes in use; with the half-full rule one pass packs them to 1.1x.
/// </summary>
internal sealed unsafe class HeapBlockMover : IBlockMover
{
    private readonly SpanHeap _heap;

    public HeapBlockMover(SpanHeap heap) => _heap = heap;

    public bool ShouldMove(void* block)
    {
        BlockOccupancy occupancy = _heap.GetOccupancy(block);
        return occupancy.ShouldMove || (occupancy.IsSmall && !occupancy.IsAllocationSpan && occupancy.SpanUsed * 2 <= occupancy.SpanCapacity);
    }

    public void* Relocate(void* block) => _heap.Relocate(block);
}
