using System.Buffers;

namespace NativeMap;

/*
 * Batch calls for MGET, MSET, MSETNX, DEL and EXISTS with many keys. Reads go key by key, in order (each under its
 * shard's lock), so the callback sees the values in key order. Writes are atomic as Redis's are: every shard the batch
 * touches is locked first, in shard order (so two batches cannot deadlock), then all keys are written, then the locks
 * are released; no reader sees half a batch.
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    /// <summary>Hashes of up to this many keys are kept on the stack; more use a pooled array.</summary>
    private const int StackBatch = 128;

    /// <summary>Reads the values of every key of <paramref name="keys"/>, in order, handing each to <paramref name="reader"/>
    /// (Redis's MGET). A key that is absent or expired is reported with <c>found</c> false.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public void ReadMany<TKeys, TState>(ref TKeys keys, ref TState state, BatchValueReader<TState> reader)
        where TKeys : IKeyBatch, allows ref struct
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        int count = keys.Count;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> key = keys.GetKey(i);
            ulong hash = Hash(key);
            Shard shard = ShardOf(hash);
            lock (shard.Lock)
            {
                byte* entry = Lookup(shard, key, hash);
                shard.InCallback = true;
                try
                {
                    reader(i, entry == null ? default : Payload(entry), entry != null, ref state);
                }
                finally
                {
                    shard.InCallback = false;
                }
            }
        }
    }

    /// <summary>Counts the keys of <paramref name="keys"/> that are present (a key named twice counts twice, as in Redis's EXISTS).</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public int CountExisting<TKeys>(ref TKeys keys)
        where TKeys : IKeyBatch, allows ref struct
    {
        int found = 0;
        int count = keys.Count;
        for (int i = 0; i < count; i++)
        {
            found += ContainsKey(keys.GetKey(i)) ? 1 : 0;
        }

        return found;
    }

    /// <summary>Sets every key of <paramref name="batch"/> to its value, dropping deadlines, atomically (Redis's MSET).
    /// A key named twice takes its last value.</summary>
    /// <exception cref="ArgumentException">A key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap ran out part way (the keys before it are set).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public void SetMany<TBatch>(ref TBatch batch)
        where TBatch : IKeyValueBatch, allows ref struct => _ = WriteMany(ref batch, onlyIfNoneExists: false);

    /// <summary>Sets every key of <paramref name="batch"/> only if none of them exists, atomically (Redis's MSETNX).</summary>
    /// <returns>True when the keys were set; false when one existed (nothing changed).</returns>
    /// <exception cref="ArgumentException">A key or value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap ran out part way (the keys before it are set).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool SetManyIfNoneExist<TBatch>(ref TBatch batch)
        where TBatch : IKeyValueBatch, allows ref struct => WriteMany(ref batch, onlyIfNoneExists: true);

    /// <summary>Removes every key of <paramref name="keys"/>, atomically (Redis's DEL and UNLINK).</summary>
    /// <returns>The number of keys removed.</returns>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public int RemoveMany<TKeys>(ref TKeys keys)
        where TKeys : IKeyBatch, allows ref struct
    {
        int count = keys.Count;
        if (count == 1)
        {
            return Remove(keys.GetKey(0)) ? 1 : 0;
        }

        ulong[]? rented = count > StackBatch ? ArrayPool<ulong>.Shared.Rent(count) : null;
        Span<ulong> hashes = rented is null ? stackalloc ulong[StackBatch] : rented;
        Span<ulong> locked = stackalloc ulong[ConcurrentNativeBytesMapOptions.MaxShardCount / 64];
        int removed = 0;
        try
        {
            HashAll(ref keys, hashes, locked);
            LockAll(locked);
            try
            {
                for (int i = 0; i < count; i++)
                {
                    removed += RemoveLocked(ShardOf(hashes[i]), keys.GetKey(i), hashes[i]) ? 1 : 0;
                }
            }
            finally
            {
                UnlockAll(locked);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }

        return removed;
    }

    private bool WriteMany<TBatch>(ref TBatch batch, bool onlyIfNoneExists)
        where TBatch : IKeyValueBatch, allows ref struct
    {
        int count = batch.Count;
        long incoming = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySequence<byte> value = batch.GetValue(i);
            int keyLength = batch.GetKey(i).Length;
            NativeBytesMap.CheckLengths(keyLength, value.Length);
            incoming += MeasureOf(keyLength, value.Length, 0);
        }

        EvictBeforeWrite(incoming);
        ulong[]? rented = count > StackBatch ? ArrayPool<ulong>.Shared.Rent(count) : null;
        Span<ulong> hashes = rented is null ? stackalloc ulong[StackBatch] : rented;
        Span<ulong> locked = stackalloc ulong[ConcurrentNativeBytesMapOptions.MaxShardCount / 64];
        try
        {
            HashAll(ref batch, hashes, locked);
            LockAll(locked);
            try
            {
                if (onlyIfNoneExists)
                {
                    for (int i = 0; i < count; i++)
                    {
                        if (FindLive(ShardOf(hashes[i]), batch.GetKey(i), hashes[i]) != null)
                        {
                            return false;
                        }
                    }
                }

                EntryMeta meta = MetaFor(0, keepDeadline: false);
                for (int i = 0; i < count; i++)
                {
                    Shard shard = ShardOf(hashes[i]);
                    shard.Enter();
                    var source = new SequenceValueSource(batch.GetValue(i));
                    NativeBytesMap map = shard.Map;
                    map.BeginWrite();
                    try
                    {
                        map.SetCore(batch.GetKey(i), hashes[i], ref source, meta, SetMode.Upsert);
                    }
                    finally
                    {
                        map.EndWrite();
                    }

                    ReportUsage(shard);
                }

                return true;
            }
            finally
            {
                UnlockAll(locked);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Hashes every key and marks its shard in <paramref name="shards"/> (a bit set).</summary>
    private void HashAll<TKeys>(ref TKeys keys, scoped Span<ulong> hashes, scoped Span<ulong> shards)
        where TKeys : IKeyBatch, allows ref struct
    {
        shards.Clear();
        int count = keys.Count;
        for (int i = 0; i < count; i++)
        {
            ulong hash = Hash(keys.GetKey(i));
            hashes[i] = hash;
            int index = ShardIndexOf(hash);
            shards[index >> 6] |= 1UL << (index & 63);
        }
    }

    /// <summary>Locks the marked shards in index order.</summary>
    private void LockAll(ReadOnlySpan<ulong> shards)
    {
        int taken = 0;
        try
        {
            for (; taken < _shards.Length; taken++)
            {
                if ((shards[taken >> 6] & (1UL << (taken & 63))) != 0)
                {
                    _shards[taken].Lock.Enter();
                }
            }
        }
        catch
        {
            for (int i = 0; i < taken; i++)
            {
                if ((shards[i >> 6] & (1UL << (i & 63))) != 0)
                {
                    _shards[i].Lock.Exit();
                }
            }

            throw;
        }
    }

    /// <summary>Releases the marked shards.</summary>
    private void UnlockAll(ReadOnlySpan<ulong> shards)
    {
        for (int i = _shards.Length - 1; i >= 0; i--)
        {
            if ((shards[i >> 6] & (1UL << (i & 63))) != 0)
            {
                _shards[i].Lock.Exit();
            }
        }
    }
}
