using System.Runtime.CompilerServices;

namespace NativeMap;

/*
 * Bucket layout, computed once per closed generic type.
 *
 * A bucket holds 8 slots:
 *
 *     offset 0               tophash[8]        one byte per slot (see TopHash for the sentinels)
 *     KeysOffset             TKey[8]           keys grouped together ...
 *     ValuesOffset           TValue[8]         ... then values grouped together, so <long, byte> wastes no padding
 *     OverflowOffset         byte*             next bucket of the chain, or null
 *     BucketSize                               OverflowOffset + 8, rounded up to Alignment
 *
 * Alignment. C# cannot ask the runtime for the alignment of an arbitrary unmanaged T, so we use the largest power of
 * two, at most 8, that divides sizeof(T). Up to 8 that is never below T's real alignment (a size is a multiple of the
 * alignment), so keys and values of primitive fields are naturally aligned. Types aligned to 16 (Int128, Vector128)
 * get 8: their loads are ordinary unaligned-tolerant moves on x64 and arm64, and capping saves 8 bytes of padding per
 * bucket for 16-byte keys such as Guid (whose real alignment is 4). The bucket size is a multiple of 8, so the low 3
 * bits of every bucket address are zero (the heap returns 16-byte aligned blocks; the enumerator packs a slot index
 * into those bits).
 *
 * Examples: <long,long> 8 + 64 + 64 + 8 = 144 bytes; <int,int> 8 + 32 + 32 + 8 = 80; <Guid,long> 8 + 128 + 64 + 8 = 208.
 * All fields are static readonly: the JIT treats them as constants once the type is initialised (tier 1).
 */

/// <summary>Offsets and size of a bucket of <see cref="NativeMap{TKey, TValue}"/> for one pair of key and value types.</summary>
internal static unsafe class BucketLayout<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Slots per bucket (Go's bucketCnt).</summary>
    public const int SlotCount = 8;

    /// <summary>Alignment used for keys.</summary>
    public static readonly int KeyAlignment = AlignmentOf(sizeof(TKey));

    /// <summary>Alignment used for values.</summary>
    public static readonly int ValueAlignment = AlignmentOf(sizeof(TValue));

    /// <summary>Offset of key slot 0 from the start of the bucket.</summary>
    public static readonly int KeysOffset = AlignUp(SlotCount, KeyAlignment);

    /// <summary>Offset of value slot 0 from the start of the bucket.</summary>
    public static readonly int ValuesOffset = AlignUp(KeysOffset + (SlotCount * sizeof(TKey)), ValueAlignment);

    /// <summary>Offset of the overflow pointer.</summary>
    public static readonly int OverflowOffset = AlignUp(ValuesOffset + (SlotCount * sizeof(TValue)), sizeof(nint));

    /// <summary>Bytes per bucket: a multiple of the key, value and pointer alignments.</summary>
    public static readonly int BucketSize = AlignUp(OverflowOffset + sizeof(nint), Math.Max(Math.Max(KeyAlignment, ValueAlignment), sizeof(nint)));

    /// <summary>Address of key slot <paramref name="slot"/> of bucket <paramref name="bucket"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey* Key(byte* bucket, int slot) => (TKey*)(bucket + KeysOffset + (slot * sizeof(TKey)));

    /// <summary>Address of value slot <paramref name="slot"/> of bucket <paramref name="bucket"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TValue* Value(byte* bucket, int slot) => (TValue*)(bucket + ValuesOffset + (slot * sizeof(TValue)));

    /// <summary>The next bucket of the chain, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Overflow(byte* bucket) => *(byte**)(bucket + OverflowOffset);

    /// <summary>Links <paramref name="next"/> after <paramref name="bucket"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetOverflow(byte* bucket, byte* next) => *(byte**)(bucket + OverflowOffset) = next;

    /// <summary>Address of bucket <paramref name="index"/> of an array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* At(byte* array, nuint index) => array + (index * (nuint)BucketSize);

    /// <summary>Bytes of an array of 2^<paramref name="b"/> buckets.</summary>
    public static nuint ArrayBytes(int b) => (nuint)BucketSize << b;

    private static int AlignmentOf(int size) => Math.Min(8, size & -size);

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) & -alignment;
}
