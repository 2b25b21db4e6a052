using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeMap;

/*
 * The tophash byte of a slot, and matching all 8 of a bucket at once.
 *
 * Sentinels (Go's runtime/map.go encoding):
 *     EmptyRest      = 0   this slot is empty, and so is every later slot of the bucket and of its overflow chain
 *     EmptyOne       = 1   this slot is empty
 *     EvacuatedX     = 2   (old array only) the entry moved to the X (low) half of the new array, or, when shrinking,
 *                          to its one destination
 *     EvacuatedY     = 3   (old array only) the entry moved to the Y (high) half of the new array
 *     EvacuatedEmpty = 4   (old array only) the slot was empty when its bucket was evacuated
 *     MinTopHash     = 5   smallest value of a full slot: the top 8 bits of the hash, plus 5 when below 5
 *
 * A bucket's 8 tophash bytes are read as one little-endian ulong (byte i = slot i) and compared with SWAR arithmetic:
 * ZeroBytes(x) sets bit 8i+7 exactly when byte i of x is zero. Exactly: the common "(x - 0x01..) & ~x & 0x80.." form
 * flags false positives above a real zero byte, and a false positive here would compare a probe with the stale key of
 * an empty slot. Slot i of a match mask is TrailingZeroCount(mask) >> 3.
 */

/// <summary>Tophash sentinels and SWAR matching of a bucket's 8 tophash bytes.</summary>
internal static class TopHash
{
    /// <summary>This slot and all later slots of the bucket chain are empty.</summary>
    public const byte EmptyRest = 0;

    /// <summary>This slot is empty.</summary>
    public const byte EmptyOne = 1;

    /// <summary>Evacuated to the low half of the new array (or to the one destination of a shrink).</summary>
    public const byte EvacuatedX = 2;

    /// <summary>Evacuated to the high half of the new array.</summary>
    public const byte EvacuatedY = 3;

    /// <summary>Empty when its bucket was evacuated.</summary>
    public const byte EvacuatedEmpty = 4;

    /// <summary>Smallest tophash of a full slot.</summary>
    public const byte MinTopHash = 5;

    private const ulong Low7 = 0x7F7F_7F7F_7F7F_7F7FUL;
    private const ulong Ones = 0x0101_0101_0101_0101UL;
    private const ulong NotLowBit = 0xFEFE_FEFE_FEFE_FEFEUL;

    /// <summary>The 8 tophash bytes of a bucket as one ulong, byte i = slot i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ulong Load(byte* bucket) =>
        BitConverter.IsLittleEndian ? *(ulong*)bucket : BinaryPrimitives.ReverseEndianness(*(ulong*)bucket);

    /// <summary>The tophash of a hash: its top 8 bits, moved above the sentinels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Of(ulong hash)
    {
        uint top = (uint)(hash >> 56);
        return (byte)(top < MinTopHash ? top + MinTopHash : top);
    }

    /// <summary>The 8-byte pattern that <see cref="Match"/> compares against.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Broadcast(byte top) => top * Ones;

    /// <summary>Bit 8i+7 set exactly when byte i of <paramref name="x"/> is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZeroBytes(ulong x) => ~((((x & Low7) + Low7) | x) | Low7);

    /// <summary>Slots whose tophash equals the broadcast <paramref name="pattern"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Match(ulong tophashes, ulong pattern) => ZeroBytes(tophashes ^ pattern);

    /// <summary>The pattern that <see cref="MatchSlots"/> compares against: <paramref name="top"/> in every byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> VectorPattern(byte top) => Vector128.Create(top);

    /// <summary>
    /// Slots of <paramref name="bucket"/> whose tophash equals <paramref name="pattern"/>'s byte, as a mask with bit i =
    /// slot i (one 8-byte vector load, a byte compare and a move-mask: 3 instructions on x64, where the SWAR
    /// <see cref="Match"/> takes 8 plus two constants and its mask needs a shift per slot). The upper 8 bytes of the
    /// vector are zero and a pattern byte never is (tophashes of full slots are at least <see cref="MinTopHash"/>), so
    /// only bits 0-7 can be set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe uint MatchSlots(byte* bucket, Vector128<byte> pattern)
    {
        Vector128<byte> tophashes = Vector128.CreateScalar(*(ulong*)bucket).AsByte();
        if (!BitConverter.IsLittleEndian)
        {
            tophashes = Vector128.CreateScalar(BinaryPrimitives.ReverseEndianness(*(ulong*)bucket)).AsByte();
        }

        return Vector128.Equals(tophashes, pattern).ExtractMostSignificantBits();
    }

    /// <summary>Whether slot 7 of <paramref name="bucket"/> is <see cref="EmptyRest"/>: the rest of the chain is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool EndsChain(byte* bucket) => bucket[7] == EmptyRest;

    /// <summary>Slots that are empty (<see cref="EmptyRest"/> or <see cref="EmptyOne"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MatchEmpty(ulong tophashes) => ZeroBytes(tophashes & NotLowBit);

    /// <summary>Slots that are full (tophash at least <see cref="MinTopHash"/>); only meaningful for buckets that are not evacuated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MatchFull(ulong tophashes) => ~MatchEmpty(tophashes) & 0x8080_8080_8080_8080UL;

    /// <summary>Whether slot 7 is <see cref="EmptyRest"/>, which means the rest of the chain is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EndsChain(ulong tophashes) => (tophashes >> 56) == EmptyRest;

    /// <summary>The slot of the lowest bit of a match mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FirstSlot(ulong mask) => BitOperations.TrailingZeroCount(mask) >> 3;

    /// <summary>
    /// Asks for the cache lines after the first one of a bucket of <paramref name="bucketSize"/> bytes. Used where the
    /// bucket's later lines will be written (inserts, evacuation). Not on lookups: measured with BenchmarkDotNet on 1 M long keys,
    /// it did not speed up hits (39 ns either way) and slowed misses from 17 ns to 24 ns (a miss reads one line; the
    /// prefetches spend memory bandwidth on two more). A no-op where the platform has no prefetch instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchRest(byte* bucket, int bucketSize)
    {
        if (Sse.IsSupported)
        {
            if (bucketSize > 64)
            {
                Sse.Prefetch0(bucket + 64);
            }

            if (bucketSize > 128)
            {
                Sse.Prefetch0(bucket + 128);
            }
        }
    }

    /// <summary>Asks for every cache line of a bucket (used for the destinations of an evacuation, written soon after).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchAll(byte* bucket, int bucketSize)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(bucket);
            PrefetchRest(bucket, bucketSize);
        }
    }

    /// <summary>Whether a bucket head of the old array has been evacuated: its slot 0 holds an evacuation mark.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool IsEvacuated(byte* bucket)
    {
        byte h = *bucket;
        return h > EmptyOne && h < MinTopHash;
    }
}
