using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * What the concurrent store needs from a shard's map beyond the public API, all run under the shard's lock by
 * ConcurrentNativeBytesMap: read-modify-write of a value (APPEND, INCR), changing an entry's expiry, and sampling
 * and scanning the entries (for eviction, active expiry and SCAN). Nothing here is public: the public contract of
 * each operation is on the store.
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>Live entries with a non-zero expiry.</summary>
    internal int VolatileCount => _volatileCount;

    /// <summary>The bucket hash a sampled slot can be found again by: its tophash as the top byte, its hash word as the
    /// low 32 bits. (The bits in between are not in the bucket; <see cref="RemoveEntry"/> needs none of them.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SlotHash(byte* bucket, int slot) => ((ulong)bucket[slot] << 56) | *BytesBucket.Hash(bucket, slot);

    /// <summary>
    /// Read-modify-write of <paramref name="key"/>'s value under a write: <paramref name="sizer"/> sees the current
    /// payload (after any header) and returns the new length or -1 to decline; <paramref name="writer"/> fills the new
    /// value. The entry keeps its expiry and loses any header; an absent key is added with <paramref name="meta"/>'s
    /// fields. Returns false when declined. Allocates before anything changes: an exception from either callback or
    /// the heap leaves the entry as it was.
    /// </summary>
    internal bool UpdateCore<TState>(ReadOnlySpan<byte> key, ulong hash, ref TState state, ValueSizer<TState> sizer, ValueWriter<TState> writer, in EntryMeta meta, out int newLength)
        where TState : allows ref struct
    {
        nint* slot = FindForWrite(key, hash, mayInsert: true, out byte* insertBucket, out int insertSlot, out byte* last);
        byte* old = slot == null ? null : BytesBucket.EntryOf(*slot);
        ReadOnlySpan<byte> current = old == null ? default : BytesEntry.ValueSpan(old)[BytesEntry.HeaderLengthOf(old)..];
        newLength = sizer(current, old != null, ref state);
        if (newLength < 0)
        {
            return false;
        }

        CheckLengths(key.Length, newLength);
        long expiry = old == null ? meta.Expiry : BytesEntry.ExpiryOf(old);
        EntryMeta fields = meta with { HeaderLength = 0 };
        uint flags = fields.FlagsFor(expiry);
        int size = BytesEntry.SizeFor(key.Length, newLength, flags);
        long block = BytesEntry.BlockSize((nuint)size);
        if (old != null)
        {
            uint oldFlags = BytesEntry.Flags(old);
            int oldValueLength = BytesEntry.ValueLength(old);
            long oldBlock = BytesEntry.BlockSize((nuint)BytesEntry.SizeOf(old));
            if (flags == oldFlags && block == oldBlock)
            {
                // In place: the destination starts where the current value does (the delegate's documented overlap).
                writer(current, new Span<byte>(BytesEntry.Value(old), newLength), ref state);
                BytesEntry.WriteHeader(old, key.Length, newLength, flags, expiry, fields.StampValue, 0);
                _valueBytes += newLength - oldValueLength;
                AfterWriteCompaction();
                return true;
            }

            byte* moved = AllocateFilled(key, newLength, flags, expiry, fields.StampValue, current, ref state, writer);
            *slot = (nint)moved | (expiry != 0 ? BytesBucket.ExpiryTag : 0);
            _heap.Free(old);
            _entryEpoch++;
            _valueBytes += newLength - oldValueLength;
            _entryBlockBytes += block - oldBlock;
            AfterWriteCompaction();
            return true;
        }

        if (insertBucket == null)
        {
            insertBucket = NewOverflowBucket(last); // before the writer runs: an empty overflow bucket is harmless if it throws
            _noverflow++;
            insertSlot = 0;
        }

        byte* entry = AllocateFilled(key, newLength, flags, expiry, fields.StampValue, default, ref state, writer);
        insertBucket[insertSlot] = TopHash.Of(hash);
        *BytesBucket.Hash(insertBucket, insertSlot) = (uint)hash;
        *BytesBucket.Slot(insertBucket, insertSlot) = (nint)entry | (expiry != 0 ? BytesBucket.ExpiryTag : 0);
        _count++;
        _version++;
        AccountAdded(entry, expiry != 0);
        AfterWriteCompaction();
        return true;
    }

    /// <summary>A new entry block filled by <paramref name="writer"/>; freed again if the writer throws.</summary>
    private byte* AllocateFilled<TState>(ReadOnlySpan<byte> key, int valueLength, uint flags, long expiry, uint stamp, ReadOnlySpan<byte> current, ref TState state, ValueWriter<TState> writer)
        where TState : allows ref struct
    {
        byte* entry = (byte*)_heap.Allocate((nuint)BytesEntry.SizeFor(key.Length, valueLength, flags));
        try
        {
            BytesEntry.WriteHeader(entry, key.Length, valueLength, flags, expiry, stamp, 0);
            byte* k = entry + BytesEntry.KeyOffset(flags);
            key.CopyTo(new Span<byte>(k, key.Length));
            writer(current, new Span<byte>(k + key.Length, valueLength), ref state);
        }
        catch
        {
            _heap.Free(entry);
            throw;
        }

        return entry;
    }

    /// <summary>
    /// Sets the expiry of the entry in <paramref name="slot"/> (0 clears it). Written in place when the entry has an
    /// expiry field (a cleared expiry keeps its field, so setting it again costs nothing); otherwise the entry moves to
    /// a block with the field, allocated before anything changes. Runs inside a write.
    /// </summary>
    internal void SetExpiryAt(nint* slot, long expiry)
    {
        byte* entry = BytesBucket.EntryOf(*slot);
        uint flags = BytesEntry.Flags(entry);
        long old = BytesEntry.ExpiryOf(entry);
        if ((flags & BytesEntry.ExpiryFlag) != 0)
        {
            *BytesEntry.Expiry(entry) = expiry;
        }
        else if (expiry != 0)
        {
            entry = Rewrite(slot, flags | BytesEntry.ExpiryFlag, expiry);
        }

        *slot = (nint)entry | (expiry != 0 ? BytesBucket.ExpiryTag : 0);
        _volatileCount += (expiry != 0 ? 1 : 0) - (old != 0 ? 1 : 0);
    }

    /// <summary>
    /// Copies the entry in <paramref name="slot"/> into a new block with <paramref name="flags"/> (keeping its stamp and
    /// header; the expiry is <paramref name="expiry"/>), points the slot at it (tag unchanged: the caller sets it) and
    /// frees the old block. Returns the new block. The allocation comes first: on failure nothing has changed.
    /// </summary>
    private byte* Rewrite(nint* slot, uint flags, long expiry)
    {
        byte* old = BytesBucket.EntryOf(*slot);
        int keyLength = BytesEntry.KeyLength(old);
        int valueLength = BytesEntry.ValueLength(old);
        uint oldFlags = BytesEntry.Flags(old);
        uint stamp = (oldFlags & BytesEntry.StampFlag) != 0 ? *BytesEntry.Stamp(old) : 0;
        int size = BytesEntry.SizeFor(keyLength, valueLength, flags);
        byte* entry = (byte*)_heap.Allocate((nuint)size);
        BytesEntry.WriteHeader(entry, keyLength, valueLength, flags, expiry, stamp, BytesEntry.HeaderLengthOf(old));
        Buffer.MemoryCopy(BytesEntry.Key(old), entry + BytesEntry.KeyOffset(flags), (long)keyLength + valueLength, (long)keyLength + valueLength);
        *slot = (*slot & BytesBucket.TagMask) | (nint)entry;
        _entryBlockBytes += BytesEntry.BlockSize((nuint)size) - BytesEntry.BlockSize((nuint)BytesEntry.SizeFor(keyLength, valueLength, oldFlags));
        _heap.Free(old);
        _entryEpoch++;
        return entry;
    }

    /// <summary>Whether the live entry block <paramref name="entry"/> is in the map under the bucket hash <paramref name="hash"/>
    /// (<see cref="SlotHash"/>): checks a sampled entry is still there before it is used. A read.</summary>
    internal bool ContainsEntry(ulong hash, byte* entry)
    {
        if (_count == 0)
        {
            return false;
        }

        ulong pattern = TopHash.Broadcast(TopHash.Of(hash));
        for (byte* b = ChainFor(hash); b != null; b = BytesBucket.Overflow(b))
        {
            ulong tophashes = TopHash.Load(b);
            for (ulong match = TopHash.Match(tophashes, pattern); match != 0; match &= match - 1)
            {
                int i = TopHash.FirstSlot(match);
                if (*BytesBucket.Hash(b, i) == (uint)hash && BytesBucket.Entry(b, i) == entry)
                {
                    return true;
                }
            }

            if (TopHash.EndsChain(tophashes))
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The slot of <paramref name="key"/> in a write (evacuating its unit first), or null.</summary>
    internal nint* FindSlotForWrite(ReadOnlySpan<byte> key, ulong hash) =>
        _buckets == null ? null : FindForWrite(key, hash, mayInsert: false, out _, out _, out _);

    /// <summary>
    /// Collects up to <paramref name="output"/>.Length entries, walking buckets of the current array in index order from
    /// <paramref name="startBucket"/> (wrapping, but never visiting a bucket twice), at most <paramref name="maxBuckets"/>
    /// of them; with <paramref name="volatileOnly"/> only entries with an expiry. Takes whole buckets: it stops before a
    /// bucket whose entries do not all fit (unless it has taken none yet), so a cursor that resumes at
    /// <paramref name="nextBucket"/> skips nothing. Returns the number collected. A read: writes nothing.
    /// </summary>
    internal int Sample(Span<SampledEntry> output, nuint startBucket, int maxBuckets, bool volatileOnly, out nuint nextBucket)
    {
        nextBucket = 0;
        if (_buckets == null || _count == 0 || output.IsEmpty || (volatileOnly && _volatileCount == 0))
        {
            return 0;
        }

        nuint mask = BucketMask(_b);
        nuint j = startBucket & mask;
        int found = 0;
        maxBuckets = (int)Math.Min((ulong)maxBuckets, (ulong)mask + 1);
        for (int visited = 0; visited < maxBuckets && found < output.Length; visited++, j = (j + 1) & mask)
        {
            ChainsOf(j, out byte* first, out byte* second, out bool filter);
            int eligible = SampleChain(first, j, mask, filter, volatileOnly, default, 0)
                + (second == null ? 0 : SampleChain(second, j, mask, filter, volatileOnly, default, 0));
            if (found > 0 && found + eligible > output.Length)
            {
                break; // resume at this bucket
            }

            found = SampleChain(first, j, mask, filter, volatileOnly, output, found);
            if (second != null)
            {
                found = SampleChain(second, j, mask, filter, volatileOnly, output, found);
            }
        }

        nextBucket = j;
        return found;
    }

    /// <summary>Appends a chain's eligible entries to <paramref name="output"/> from index <paramref name="found"/> while
    /// room lasts, and returns the new count; with an empty output, counts them.</summary>
    private static int SampleChain(byte* head, nuint j, nuint mask, bool filter, bool volatileOnly, Span<SampledEntry> output, int found)
    {
        bool counting = output.IsEmpty;
        for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
            {
                int i = TopHash.FirstSlot(full);
                nint word = *BytesBucket.Slot(bucket, i);
                if ((filter && (*BytesBucket.Hash(bucket, i) & mask) != j) || (volatileOnly && (word & BytesBucket.ExpiryTag) == 0))
                {
                    continue;
                }

                if (counting)
                {
                    found++;
                }
                else if (found < output.Length)
                {
                    output[found++] = new SampledEntry(SlotHash(bucket, i), BytesBucket.EntryOf(word));
                }
                else
                {
                    return found;
                }
            }
        }

        return found;
    }

    /// <summary>Buckets in the current array (0 before the first insert).</summary>
    internal nuint BucketCount => _buckets == null ? 0 : (nuint)1 << _b;

    /// <summary>
    /// Visits whole positions (NativeBytesMap.Positions.cs) from <paramref name="ord"/> on, calling
    /// <paramref name="visitor"/> for each entry whose ord is at least <paramref name="ord"/> and whose expiry (if any)
    /// is after <paramref name="now"/>, until at least <paramref name="count"/> entries were visited or the map ends.
    /// Returns the ord to resume from (<see cref="OrdEnd"/> when done). Every entry present from the first call to the
    /// last is visited at least once, whatever resizes happen between calls. A read: the visitor must not write to the map.
    /// </summary>
    internal ulong ScanPositions<TState>(ulong ord, int count, long now, ref TState state, KeyVisitor<TState> visitor, out int visited)
        where TState : allows ref struct
    {
        visited = 0;
        if (_buckets == null || _count == 0)
        {
            return OrdEnd;
        }

        nuint mask = BucketMask(_b);
        while (ord < OrdEnd && visited < count)
        {
            nuint v = BucketOfOrd(ord);
            ChainsOf(v, out byte* first, out byte* second, out bool filter);
            visited += ScanChain(first, v, mask, filter, ord, now, ref state, visitor);
            if (second != null)
            {
                visited += ScanChain(second, v, mask, filter, ord, now, ref state, visitor);
            }

            ord = NextPosition(ord);
        }

        return ord;
    }

    private static int ScanChain<TState>(byte* head, nuint v, nuint mask, bool filter, ulong from, long now, ref TState state, KeyVisitor<TState> visitor)
        where TState : allows ref struct
    {
        int visited = 0;
        for (byte* bucket = head; bucket != null; bucket = BytesBucket.Overflow(bucket))
        {
            for (ulong full = TopHash.MatchFull(TopHash.Load(bucket)); full != 0; full &= full - 1)
            {
                int i = TopHash.FirstSlot(full);
                if ((filter && (*BytesBucket.Hash(bucket, i) & mask) != v) || OrdOf(bucket, i) < from)
                {
                    continue;
                }

                nint word = *BytesBucket.Slot(bucket, i);
                byte* entry = BytesBucket.EntryOf(word);
                if ((word & BytesBucket.ExpiryTag) != 0 && *BytesEntry.Expiry(entry) <= now)
                {
                    continue;
                }

                visitor(BytesEntry.KeySpan(entry), ref state);
                visited++;
            }
        }

        return visited;
    }
}
