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
 * two (at most 16) that divides sizeof(T). That is never smaller than T's real alignment (a size is always a multiple of
 * the alignment), so every key and value is naturally aligned; at worst a type is over-aligned (Guid: 16 instead of 4)
 * and a few padding bytes follow the tophash. The bucket size is a multiple of every alignment involved and of 8, so in
 * an array every bucket is aligned too (the heap returns 16-byte aligned blocks), and the low 3 bits of a bucket
 * address are always zero (the enumerator packs a slot index there).
 *
 * Examples: <long,long> 8 + 64 + 64 + 8 = 144 bytes; <int,int> 8 + 32 + 32 + 8 = 80; <Guid,long> 16 + 128 + 64 + 8 = 216.
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

    private static int AlignmentOf(int size) => Math.Min(16, size & -size);

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) & -alignment;
}
