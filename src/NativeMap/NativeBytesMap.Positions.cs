using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Positions: an order of the entries that no resize changes, shared by the enumerator, SCAN-style cursors and sampling.
 *
 * An entry's order key ("ord") is 40 bits: the bit-reversed low hash word, then the tophash byte:
 *     ord = ReverseBits32(hash word) << 8 | tophash
 * At 2^B buckets, the entries of bucket v are exactly those whose ord's top B bits are ReverseBits_B(v): each bucket
 * owns one contiguous range of ords ("position"), and the positions are visited in increasing ord by visiting the
 * buckets in bit-reversed index order (Redis's dictScan order). Growth splits a position in two halves, a shrink merges
 * two neighbours, so an ord is a place in the map that survives both: everything before it has been visited, everything
 * after it has not, whatever moved in between. Two keys with the same 40 bits are ordered by their bytes.
 *
 * Mid-resize, the entries of bucket v of the current array may still sit in the old array: ChainsOf says which chains
 * hold them and whether those chains hold other buckets' entries too (a growth's old chain feeds two new buckets).
 */

public sealed unsafe partial class NativeBytesMap
{
    /// <summary>Bits of an ord.</summary>
    internal const int OrdBits = 40;

    /// <summary>One past the largest ord.</summary>
    internal const ulong OrdEnd = 1UL << OrdBits;

    /// <summary>Reverses the bits of a 32-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ReverseBits(uint x)
    {
        x = ((x >> 1) & 0x5555_5555u) | ((x & 0x5555_5555u) << 1);
        x = ((x >> 2) & 0x3333_3333u) | ((x & 0x3333_3333u) << 2);
        x = ((x >> 4) & 0x0F0F_0F0Fu) | ((x & 0x0F0F_0F0Fu) << 4);
        return BinaryPrimitives.ReverseEndianness(x);
    }

    /// <summary>The ord of a slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong OrdOf(byte* bucket, int slot) => ((ulong)ReverseBits(*BytesBucket.Hash(bucket, slot)) << 8) | bucket[slot];

    /// <summary>The bucket of the current array whose position holds <paramref name="ord"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nuint BucketOfOrd(ulong ord) => (nuint)ReverseBits((uint)(ord >> 8)) & BucketMask(_b);

    /// <summary>The first ord of the position after the one holding <paramref name="ord"/> at the current size;
    /// <see cref="OrdEnd"/> after the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong NextPosition(ulong ord)
    {
        ulong span = 1UL << (OrdBits - _b);
        return (ord & ~(span - 1)) + span;
    }

    /// <summary>
    /// The chains that hold the entries of bucket <paramref name="v"/> of the current array: its own chain, or, while
    /// the unit feeding it is not evacuated, the old chain(s) feeding it (<paramref name="filter"/>: they hold other
    /// buckets' entries too, which a caller skips by testing hash &amp; mask == v). Needs an allocated array.
    /// </summary>
    private void ChainsOf(nuint v, out byte* first, out byte* second, out bool filter)
    {
        first = BytesBucket.At(_buckets, v);
        second = null;
        filter = false;
        byte* old = _oldBuckets;
        if (old == null)
        {
            return;
        }

        if (_oldB > _b)
        {
            byte* low = BytesBucket.At(old, v);
            if (!TopHash.IsEvacuated(low))
            {
                first = low;
                second = BytesBucket.At(old, v + ((nuint)1 << _b));
            }
        }
        else
        {
            byte* source = BytesBucket.At(old, v & BucketMask(_oldB));
            if (!TopHash.IsEvacuated(source))
            {
                first = source;
                filter = _oldB < _b;
            }
        }
    }
}
