namespace NativeMap;

/*
 * Compaction: memory back after scattered deletes.
 *
 * Deleting most entries, scattered over the key space, leaves most small-object spans partly full, and a span with one
 * live block cannot go back to the page level. The map holds the only pointer to each entry block (no API hands one
 * out), so it may move entries: for each entry the heap says sits in a span emptier than its class's average (the
 * defrag hint, IBlockMover.ShouldMove), the heap moves the block into the fullest span of the class (Relocate) and the
 * map repoints the slot. Emptied spans go back to the page level at once, and to the OS after the decay (or at once with
 * FreeOSMemory).
 *
 * What a move changes: the slot's entry word (tags kept) and nothing else — not the slot, not the bucket, not the byte
 * totals (same class, same block size). So the layout epoch stands (an enumerator's buffered slots stay valid and it
 * reads the moved entry through its slot) and the entry epoch moves (an Entry handed out before must not read the old
 * block). A move is atomic: the old block is live until Relocate returns the new one, and a Relocate that throws leaves
 * it in place.
 *
 * Two ways to run it:
 *   Compact()   a full pass now: finishes any resize, then visits every entry. Returns the bytes moved.
 *   automatic   (CompactionOptions) every CheckInterval writes the map asks whether the heap is fragmented (the
 *               trigger: its small-block spans exceed TriggerRatio times the bytes in use in them, and packing would
 *               free at least MinReclaimableBytes); if so, each following write also examines EntriesPerWrite entries from a cursor over the
 *               bucket array, until the cursor has been round once. Bounded work per write: at most EntriesPerWrite
 *               moves. Writes during a resize skip it (evacuation is moving the buckets anyway). The concurrent store
 *               also runs steps from its maintenance timer, under each shard's lock, so a store that stops being
 *               written still compacts.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>How entries are moved: the heap's defrag hint and relocation; tests substitute their own.</summary>
    private IBlockMover? _mover;

    /// <summary>The automatic mode's settings.</summary>
    private readonly CompactionOptions _compactionOptions;

    /// <summary>A pass of the automatic mode is under way: writes do steps.</summary>
    private bool _compacting;

    /// <summary>The next bucket the automatic pass examines.</summary>
    private nuint _compactCursor;

    /// <summary>Writes until the automatic mode next checks its trigger.</summary>
    private int _compactCountdown;

    /// <summary>Entries moved so far (diagnostics and tests).</summary>
    private long _entriesMoved;

    /// <summary>Bytes of blocks moved so far.</summary>
    private long _bytesMoved;

    /// <summary>
    /// Moves every entry that sits in a sparse span into a fuller span of its size class (the heap decides which: its
    /// defrag hint), so that sparse spans empty and go back to the page level — and to the OS after the heap's decay, or
    /// at once with <see cref="Allocator.SpanHeap.FreeOSMemory"/>. Finishes any growth or shrink in progress first.
    /// Every entry keeps its bytes; enumerations go on; an <see cref="Entry"/> read before must be read again.
    /// </summary>
    /// <returns>The bytes of the blocks moved.</returns>
    /// <exception cref="OutOfMemoryException">The heap could not supply a block for a move; the entries moved until
    /// then are moved, the rest are where they were, and the map is consistent.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <exception cref="InvalidOperationException">Another write is in progress.</exception>
    public long Compact()
    {
        BeginWrite();
        try
        {
            return CompactCore();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Bytes of the live entries' blocks (for tests).</summary>
    internal long EntryBlockBytes => _entryBlockBytes;

    /// <summary>Entries moved by compaction since the map was created.</summary>
    internal long EntriesMoved => _entriesMoved;

    /// <summary>Whether an automatic pass is under way (for tests).</summary>
    internal bool IsCompacting => _compacting;

    /// <summary>For tests: compaction through another mover.</summary>
    internal void UseMover(IBlockMover? mover) => _mover = mover;

    /// <summary>A full compaction pass inside a write: finishes any resize, then offers every entry to the mover.</summary>
    internal long CompactCore()
    {
        if (_mover is null || _count == 0)
        {
            return 0;
        }

        EvacuateAll();
        _compacting = false;
        nuint buckets = (nuint)1 << _b;
        long moved = 0;
        for (nuint j = 0; j < buckets; j++)
        {
            moved += CompactChain(BytesBucket.At(_buckets, j), out _);
        }

        return moved;
    }

    /// <summary>
    /// The automatic mode's share of a write (called at the end of every insert, overwrite and remove): a step when a
    /// pass is under way, else a trigger check every <see cref="CompactionOptions.CheckInterval"/> writes.
    /// </summary>
    private void AfterWriteCompaction()
    {
        if (_mover is null || !_compactionOptions.Automatic)
        {
            return;
        }

        if (_compacting)
        {
            _ = CompactStep(_compactionOptions.EntriesPerWrite);
        }
        else if (--_compactCountdown <= 0)
        {
            _compactCountdown = _compactionOptions.CheckInterval;
            if (_count != 0 && CompactionTriggered())
            {
                _compacting = true;
                _compactCursor = 0;
            }
        }
    }

    /// <summary>
    /// Starts an automatic pass now if none is under way and the trigger holds (for the concurrent store's timer, which
    /// carries passes on in shards that are no longer written). Inside a write. Returns whether a pass is under way.
    /// </summary>
    internal bool PollCompaction()
    {
        if (!_compacting && _mover is not null && _compactionOptions.Automatic && _count != 0 && CompactionTriggered())
        {
            _compacting = true;
            _compactCursor = 0;
        }

        return _compacting;
    }

    /// <summary>
    /// The trigger: the heap's small-block spans are more than <see cref="CompactionOptions.TriggerRatio"/> times the
    /// bytes of the blocks in use in them, and packing them would free at least
    /// <see cref="CompactionOptions.MinReclaimableBytes"/>. Read from <see cref="Allocator.SpanHeap.GetFragmentationTotals"/>
    /// (lock-free counters; nothing allocated).
    /// </summary>
    private bool CompactionTriggered()
    {
        Allocator.FragmentationTotals totals = _heap.GetFragmentationTotals();
        return totals.ReclaimableBytes >= _compactionOptions.MinReclaimableBytes
            && totals.SmallSpanBytes > _compactionOptions.TriggerRatio * totals.SmallUsedBytes;
    }

    /// <summary>
    /// Examines about <paramref name="entries"/> entries of the automatic pass (whole buckets) and moves those the heap
    /// says to; ends the pass when the cursor passes the last bucket. Returns the bytes moved. Inside a write. An
    /// <see cref="OutOfMemoryException"/> from the heap ends the pass (compaction is an optimisation; the write stands).
    /// </summary>
    internal long CompactStep(int entries)
    {
        if (!_compacting || _mover is null)
        {
            return 0;
        }

        if (_count == 0 || _buckets == null)
        {
            _compacting = false;
            return 0;
        }

        if (_oldBuckets != null)
        {
            return 0; // evacuation is under way: the buckets are moving anyway; resume when it ends
        }

        long moved = 0;
        nuint buckets = (nuint)1 << _b;
        try
        {
            while (entries > 0 && _compactCursor < buckets)
            {
                moved += CompactChain(BytesBucket.At(_buckets, _compactCursor), out int examined);
                entries -= Math.Max(examined, 1);
                _compactCursor++;
            }
        }
        catch (OutOfMemoryException)
        {
            _compactCursor = buckets;
        }

        if (_compactCursor >= buckets)
        {
            _compacting = false;
            _compactCountdown = _compactionOptions.CheckInterval;
        }

        return moved;
    }

    /// <summary>Offers the entries of one live chain to the mover (all of them: a chain is not split between steps).</summary>
    private long CompactChain(byte* head, out int examined)
    {
        long moved = 0;
        examined = 0;
        IBlockMover mover = _mover!;
        for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
            {
                nint* slot = BytesBucket.Slot(bucket, TopHash.FirstSlot(full));
                byte* entry = BytesBucket.EntryOf(*slot);
                examined++;
                if (!mover.ShouldMove(entry))
                {
                    continue;
                }

                byte* relocated = (byte*)mover.Relocate(entry);
                *slot = (*slot & BytesBucket.TagMask) | (nint)relocated;
                _entryEpoch++;
                long bytes = BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(relocated));
                moved += bytes;
                _bytesMoved += bytes;
                _entriesMoved++;
            }
        }

        return moved;
    }
}
