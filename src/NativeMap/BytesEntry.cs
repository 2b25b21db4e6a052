using System.Runtime.CompilerServices;
using NativeMap.Allocator;

namespace NativeMap;

/*
 * Entry block layout of NativeBytesMap: one heap block per entry, which only the map points to.
 *
 *     +0   uint  key word     bits 0-29 key length (at most 2^29 = 512 MiB); bit 30 StampFlag; bit 31 ExpiryFlag
 *     +4   uint  value length (at most 2^29)
 *     +8   long  expiry       present when ExpiryFlag: absolute, in ms of the owner's clock; 0 means none
 *     +8|16 uint stamp        present when StampFlag: an approximate last-access time (the concurrent store's LRU)
 *          key bytes
 *          value bytes
 *
 * A plain map writes neither optional field: its header is 8 bytes. The block is allocated at exactly Size(entry)
 * bytes, so its heap block is always BlockSize(Size(entry)) bytes: the map's byte accounting needs no heap call, and
 * Validate checks the identity against the heap. An overwrite whose new size falls in the same block size writes in
 * place; any other size gets a new block (allocated before anything changes, so a failure leaves the entry as it was).
 *
 * Why one block with lengths, key and value (and not key and value apart, or keys in the bucket): a hit must read the
 * key to confirm it and then the value, so one block makes that one or two adjacent cache lines instead of two misses
 * in two places; a miss never reads an entry (40 hash bits in the bucket, BytesBucket.cs). Keeping short keys in the
 * bucket would save nothing on hits (the value is out of line anyway) and would make every bucket bigger.
 */

/// <summary>Accessors of a <see cref="NativeBytesMap"/> entry block.</summary>
internal static unsafe class BytesEntry
{
    /// <summary>The longest key or value: 512 MiB, as in Redis.</summary>
    public const int MaxLength = 512 << 20;

    /// <summary>Bytes of the fixed header (key word and value length).</summary>
    public const int HeaderSize = 8;

    /// <summary>The entry carries an expiry field.</summary>
    public const uint ExpiryFlag = 1u << 31;

    /// <summary>The entry carries an access stamp field.</summary>
    public const uint StampFlag = 1u << 30;

    /// <summary>Bits of the key word that hold the key length.</summary>
    public const uint LengthMask = StampFlag - 1;

    /// <summary>Both flags.</summary>
    public const uint FlagsMask = ExpiryFlag | StampFlag;

    /// <summary>The key word: key length and flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint KeyWord(byte* entry) => *(uint*)entry;

    /// <summary>The flags of an entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Flags(byte* entry) => *(uint*)entry & FlagsMask;

    /// <summary>The key's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyLength(byte* entry) => (int)(*(uint*)entry & LengthMask);

    /// <summary>The value's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValueLength(byte* entry) => *(int*)(entry + 4);

    /// <summary>Bytes of the optional fields the flags ask for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MetaSize(uint flags) => (int)(((flags >> 31) << 3) | (((flags >> 30) & 1) << 2));

    /// <summary>Offset of the key from the start of the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyOffset(uint flags) => HeaderSize + MetaSize(flags);

    /// <summary>The first key byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Key(byte* entry) => entry + KeyOffset(*(uint*)entry);

    /// <summary>The first value byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Value(byte* entry)
    {
        uint word = *(uint*)entry;
        return entry + KeyOffset(word) + (int)(word & LengthMask);
    }

    /// <summary>The key as a span (valid while the entry is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> KeySpan(byte* entry) => new(Key(entry), KeyLength(entry));

    /// <summary>The value as a span (valid while the entry is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> ValueSpan(byte* entry) => new(Value(entry), ValueLength(entry));

    /// <summary>Whether the entry's key is <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KeyEquals(byte* entry, ReadOnlySpan<byte> key)
    {
        uint word = *(uint*)entry;
        return (int)(word & LengthMask) == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(entry + KeyOffset(word), key.Length));
    }

    /// <summary>The expiry field (only when <see cref="ExpiryFlag"/> is set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long* Expiry(byte* entry) => (long*)(entry + HeaderSize);

    /// <summary>The expiry of an entry: 0 when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ExpiryOf(byte* entry) => (*(uint*)entry & ExpiryFlag) != 0 ? *(long*)(entry + HeaderSize) : 0;

    /// <summary>The stamp field (only when <see cref="StampFlag"/> is set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint* Stamp(byte* entry) => (uint*)(entry + HeaderSize + (int)((*(uint*)entry >> 31) << 3));

    /// <summary>Bytes of an entry with these lengths and flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeFor(int keyLength, int valueLength, uint flags) => HeaderSize + MetaSize(flags) + keyLength + valueLength;

    /// <summary>Bytes of an entry.</summary>
    public static int SizeOf(byte* entry)
    {
        uint word = *(uint*)entry;
        return SizeFor((int)(word & LengthMask), ValueLength(entry), word & FlagsMask);
    }

    /// <summary>Writes the fixed header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHeader(byte* entry, int keyLength, int valueLength, uint flags)
    {
        *(uint*)entry = (uint)keyLength | flags;
        *(int*)(entry + 4) = valueLength;
    }

    /// <summary>
    /// The heap block a request of <paramref name="size"/> bytes gets: its size class up to
    /// <see cref="SpanHeap.MaxSmallSize"/>, whole pages above (what <see cref="SpanHeap.GetAllocatedSize"/> reports).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long BlockSize(nuint size) => size <= SizeClasses.MaxSmallSize
        ? SizeClasses.Size[SizeClasses.ClassOf(size)]
        : (long)((size + (nuint)SpanHeap.PageSize - 1) & ~((nuint)SpanHeap.PageSize - 1));
}
