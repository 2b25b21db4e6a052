using System.Diagnostics;

namespace NativeMap;

/*
 * Compaction of the store, shard by shard (NativeBytesMap.Compaction.cs has the mechanism). Writes compact their own
 * shard a little at a time; the maintenance timer, after its expiry cycle, spends what is left of its budget carrying
 * passes on (and starting them when the heap is fragmented) in shards nobody writes any more, each step under the
 * shard's lock and bounded to CompactionStepEntries entries, so a writer never waits long behind it.
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    /// <summary>Entries one background step examines in one shard, under its lock (about 0.2 ms of moves at most).</summary>
    private const int CompactionStepEntries = 256;

    /// <summary>
    /// Compacts every shard now (<see cref="NativeBytesMap.Compact"/>), one shard's lock at a time: entries in sparse
    /// spans move into fuller ones so that the spans can go back to the OS.
    /// </summary>
    /// <returns>The bytes of the blocks moved.</returns>
    /// <exception cref="OutOfMemoryException">The heap could not supply a block for a move (the store is consistent).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public long Compact()
    {
        long moved = 0;
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Enter();
                moved += shard.Map.Compact();
            }
        }

        return moved;
    }

    /// <summary>For tests: every shard (and every shard map made later) compacts through <paramref name="mover"/>.</summary>
    internal void UseMover(IBlockMover? mover)
    {
        _testMover = mover;
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Map.UseMover(mover);
            }
        }
    }

    private IBlockMover? _testMover;

    /// <summary>The timer's compaction: steps in shards with a pass under way (starting passes first when the heap is
    /// fragmented), until <paramref name="stopAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    private void CompactInBackground(long stopAt)
    {
        bool any = true;
        for (int round = 0; any && Stopwatch.GetTimestamp() < stopAt; round++)
        {
            any = false;
            foreach (Shard shard in _shards)
            {
                if (Volatile.Read(ref shard.Map).Count == 0)
                {
                    continue;
                }

                lock (shard.Lock)
                {
                    if (shard.InCallback)
                    {
                        continue;
                    }

                    NativeBytesMap map = shard.Map;
                    if (map.IsDisposed)
                    {
                        return;
                    }

                    map.BeginWrite();
                    try
                    {
                        if (round == 0 ? map.PollCompaction() : map.IsCompacting)
                        {
                            _ = map.CompactStep(CompactionStepEntries);
                            any |= map.IsCompacting;
                        }
                    }
                    finally
                    {
                        map.EndWrite();
                    }
                }

                if (Stopwatch.GetTimestamp() >= stopAt)
                {
                    return;
                }
            }
        }
    }
}
