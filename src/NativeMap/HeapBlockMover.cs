using NativeMap.Allocator;

namespace NativeMap;

/// <summary>Compaction through the heap's own defrag hint and relocation (<see cref="SpanHeap.ShouldMove"/>,
/// <see cref="SpanHeap.Relocate"/>): the mover every map uses.</summary>
internal sealed unsafe class HeapBlockMover : IBlockMover
{
    private readonly SpanHeap _heap;

    public HeapBlockMover(SpanHeap heap) => _heap = heap;

    public bool ShouldMove(void* block) => _heap.ShouldMove(block);

    public void* Relocate(void* block) => _heap.Relocate(block);
}
