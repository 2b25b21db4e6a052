using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Bucket layout of NativeBytesMap (the design is at the top of NativeBytesMap.Core.cs).
 *
 *     offset   0   tophash[8]     one byte per slot: the top 8 bits of the hash, or a sentinel (TopHash.cs)
 *     offset   8   uint hash[8]   the low 32 bits of each slot's hash
 *     offset  40   nint entry[8]  each slot's entry block, tagged in its low bits (below)
 *     offset 104   byte* overflow the next bucket of the chain, or null
 *     size   112                  a size class of the heap (overflow buckets waste nothing)
 *
 * The tophash byte and the low hash word together give 40 bits of the hash in the bucket: a probe whose key differs
 * from a slot's compares equal on both with odds of about 2^-40, so a lookup touches an entry block only when it is
 * (all but certainly) the key's. The low word also carries every bit the bucket index can use (B <= 30), so growth and
 * shrinking move slots without reading a single entry.
 *
 * Entry words. Entry blocks are at least 8-byte aligned (the smallest entry is 8 bytes, the heap's 8-byte class; all
 * larger classes are 16-byte aligned), so the low 3 bits of an entry word are free:
 *     bit 0  ExpiryTag: the entry has a non-zero expiry (the concurrent store scans for it without touching entries)
 *     bits 1-2 zero
 * Buckets are 16-byte aligned (112 = 7 * 16, arrays and overflow buckets come 16-byte aligned from the heap), so the
 * enumerator packs a slot index into the low 3 bits of a bucket address.
 */

/// <summary>Offsets and accessors of a <see cref="NativeBytesMap"/> bucket.</summary>
internal static unsafe class BytesBucket
{
    /// <summary>Slots per bucket (Go's bucketCnt).</summary>
    public const int SlotCount = 8;

    /// <summary>Offset of the low hash words.</summary>
    public const int HashesOffset = 8;

    /// <summary>Offset of the entry words.</summary>
    public const int EntriesOffset = 40;

    /// <summary>Offset of the overflow pointer.</summary>
    public const int OverflowOffset = 104;

    /// <summary>Bytes per bucket.</summary>
    public const int Size = 112;

    /// <summary>Low bits of an entry word that are tags, not address.</summary>
    public const nint TagMask = 7;

    /// <summary>Tag: the entry has a non-zero expiry.</summary>
    public const nint ExpiryTag = 1;

    /// <summary>The low hash word of slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint* Hash(byte* bucket, int slot) => (uint*)(bucket + HashesOffset) + slot;

    /// <summary>The (tagged) entry word of slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint* Slot(byte* bucket, int slot) => (nint*)(bucket + EntriesOffset) + slot;

    /// <summary>The entry block of slot <paramref name="slot"/> (tags stripped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Entry(byte* bucket, int slot) => (byte*)(*Slot(bucket, slot) & ~TagMask);

    /// <summary>The entry block an entry word points to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* EntryOf(nint word) => (byte*)(word & ~TagMask);

    /// <summary>The next bucket of the chain, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Overflow(byte* bucket) => *(byte**)(bucket + OverflowOffset);

    /// <summary>Links <paramref name="next"/> after <paramref name="bucket"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetOverflow(byte* bucket, byte* next) => *(byte**)(bucket + OverflowOffset) = next;

    /// <summary>Bucket <paramref name="index"/> of an array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* At(byte* array, nuint index) => array + (index * Size);

    /// <summary>Bytes of an array of 2^<paramref name="b"/> buckets.</summary>
    public static nuint ArrayBytes(int b) => (nuint)Size << b;

    /// <summary>Copies slot <paramref name="fromSlot"/> of <paramref name="from"/> (tophash, hash word, entry word) to a slot of <paramref name="to"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MoveSlot(byte* from, int fromSlot, byte* to, int toSlot)
    {
        to[toSlot] = from[fromSlot];
        *Hash(to, toSlot) = *Hash(from, fromSlot);
        *Slot(to, toSlot) = *Slot(from, fromSlot);
    }
}
