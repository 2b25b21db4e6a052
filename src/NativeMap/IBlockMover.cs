namespace NativeMap;

/// <summary>
/// What compaction asks the heap: whether an entry's block sits in a span sparse enough that moving it helps, and to
/// move it (into a fuller span of its class) — jemalloc's defrag hint and its reallocation, behind a seam so that tests
/// can drive the map's side of compaction with a mover of their own.
/// </summary>
internal unsafe interface IBlockMover
{
    /// <summary>Whether moving the live block <paramref name="block"/> would help empty its span.</summary>
    bool ShouldMove(void* block);

    /// <summary>Moves a live block: returns a new block with the same contents and frees the old one. On failure throws
    /// <see cref="OutOfMemoryException"/> with the old block untouched.</summary>
    void* Relocate(void* block);
}
