namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// A mover for the map's side of compaction: moves every block it is offered (or every other one), by allocating a block
/// of the same size from the heap, copying it and freeing the old one, and poisons the old block first so that a map
/// that kept reading it would see garbage. Counts what it moved; can be told to fail like a full heap.
/// </summary>
internal sealed unsafe class CopyingMover : IBlockMover
{
    private readonly SpanHeap _heap;
    private int _offers;

    public CopyingMover(SpanHeap heap) => _heap = heap;

    public bool EveryOther { get; init; }

    public int FailAfter { get; set; } = int.MaxValue;

    private int _moves;

    public int Moves => Volatile.Read(ref _moves);

    public bool ShouldMove(void* block) => !EveryOther || (Interlocked.Increment(ref _offers) & 1) == 0;

    public void* Relocate(void* block)
    {
        if (Moves >= FailAfter)
        {
            throw new OutOfMemoryException("the test mover is out of memory");
        }

        nuint size = _heap.GetAllocatedSize(block);
        void* moved = _heap.Allocate(size);
        Buffer.MemoryCopy(block, moved, (long)size, (long)size);
        new Span<byte>(block, (int)size).Fill(0xDD);
        _heap.Free(block);
        Interlocked.Increment(ref _moves);
        return moved;
    }
}
