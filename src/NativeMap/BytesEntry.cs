using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using NativeMap.Allocator;

namespace NativeMap;

/*
 * Entry block layout of NativeBytesMap: one heap block per entry, which only the map points to.
 *
 *     +0   uint  key word     bits 0-29 key length (at most 2^29 = 512 MiB); bit 30 stamp present; bit 31 expiry present
 *     +4   uint  value word   bits 0-29 value length (at most 2^29), header included; bit 31 header length present
 *     +8   long  expiry       if present: absolute deadline in the owner's unit (the store: UTC ticks); 0 means none
 *          uint  stamp        if present: an approximate last-access time (the concurrent store's LRU clock)
 *          uint  header length if present: the first this-many value bytes are a header the owner keeps beside the
 *                             payload (the distributed cache's sliding-expiration data); reads of "the value" skip it
 *          key bytes
 *          value bytes (header, then payload)
 *
 * The optional fields follow in that order, each only when its flag is set (logical flags: EntryFlags below), so a
 * plain map's entries have an 8-byte header and a store entry without expiry pays 4 bytes for its stamp. The block is
 * allocated at exactly Size(entry) bytes, so its heap block is always BlockSize(Size(entry)) bytes: the map's byte
 * accounting needs no heap call, and Validate checks the identity against the heap. An overwrite whose new size falls
 * in the same block size, with the same fields, writes in place; any other gets a new block (allocated and filled
 * before anything changes, so a failure leaves the entry as it was).
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

    /// <summary>Bytes of the fixed header (key word and value word).</summary>
    public const int HeaderSize = 8;

    /// <summary>Logical flag: the entry carries an expiry field.</summary>
    public const uint ExpiryFlag = 1;

    /// <summary>Logical flag: the entry carries an access stamp field.</summary>
    public const uint StampFlag = 2;

    /// <summary>Logical flag: the entry carries a header length field.</summary>
    public const uint HeaderFlag = 4;

    /// <summary>Bits of the key and value words that hold a length.</summary>
    public const uint LengthMask = (1u << 30) - 1;

    private const uint ExpiryBit = 1u << 31;  // in the key word
    private const uint StampBit = 1u << 30;   // in the key word
    private const uint HeaderBit = 1u << 31;  // in the value word

    /// <summary>The logical flags of an entry (<see cref="ExpiryFlag"/>, <see cref="StampFlag"/>, <see cref="HeaderFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Flags(byte* entry)
    {
        ulong words = *(ulong*)entry;
        return (uint)(((words >> 31) & 1) | ((words >> 29) & 2) | ((words >> 61) & 4));
    }

    /// <summary>Asks for the entry's second and third cache lines (its key's tail and its value's start) while the
    /// first is loaded for the header: the key's offset depends on the header, so without this they come one miss later.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(byte* entry)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(entry + 64);
            Sse.Prefetch0(entry + 128);
        }
    }

    /// <summary>The key's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyLength(byte* entry) => (int)(*(uint*)entry & LengthMask);

    /// <summary>The value's length (header included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValueLength(byte* entry) => (int)(*(uint*)(entry + 4) & LengthMask);

    /// <summary>Bytes of the optional fields the flags ask for: 8 for the expiry, 4 each for stamp and header length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MetaSize(uint flags) => (int)(((flags & ExpiryFlag) << 3) | ((flags & StampFlag) << 1)) + (int)(flags & HeaderFlag);

    /// <summary>Offset of the key from the start of the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyOffset(uint flags) => HeaderSize + MetaSize(flags);

    /// <summary>The first key byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Key(byte* entry) => entry + KeyOffset(Flags(entry));

    /// <summary>The first value byte (the header's, when there is one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Value(byte* entry) => Key(entry) + KeyLength(entry);

    /// <summary>The key as a span (valid while the entry is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> KeySpan(byte* entry) => new(Key(entry), KeyLength(entry));

    /// <summary>The value as a span, header included (valid while the entry is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> ValueSpan(byte* entry) => new(Value(entry), ValueLength(entry));

    /// <summary>Whether the entry's key is <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KeyEquals(byte* entry, ReadOnlySpan<byte> key) =>
        KeyLength(entry) == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(Key(entry), key.Length));

    /// <summary>The expiry field (only when <see cref="ExpiryFlag"/> is set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long* Expiry(byte* entry) => (long*)(entry + HeaderSize);

    /// <summary>The expiry of an entry: 0 when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ExpiryOf(byte* entry) => (*(uint*)entry & ExpiryBit) != 0 ? *(long*)(entry + HeaderSize) : 0;

    /// <summary>The stamp field (only when <see cref="StampFlag"/> is set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint* Stamp(byte* entry) => (uint*)(entry + HeaderSize + MetaSize(Flags(entry) & ExpiryFlag));

    /// <summary>The header length of an entry: 0 when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HeaderLengthOf(byte* entry)
    {
        uint flags = Flags(entry);
        return (flags & HeaderFlag) != 0 ? *(int*)(entry + HeaderSize + MetaSize(flags & (ExpiryFlag | StampFlag))) : 0;
    }

    /// <summary>Bytes of an entry with these lengths and flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeFor(int keyLength, int valueLength, uint flags) => HeaderSize + MetaSize(flags) + keyLength + valueLength;

    /// <summary>Bytes of an entry.</summary>
    public static int SizeOf(byte* entry) => SizeFor(KeyLength(entry), ValueLength(entry), Flags(entry));

    /// <summary>Writes the fixed header and the optional fields <paramref name="flags"/> asks for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHeader(byte* entry, int keyLength, int valueLength, uint flags, long expiry, uint stamp, int headerLength)
    {
        *(uint*)entry = (uint)keyLength | ((flags & ExpiryFlag) != 0 ? ExpiryBit : 0) | ((flags & StampFlag) != 0 ? StampBit : 0);
        *(uint*)(entry + 4) = (uint)valueLength | ((flags & HeaderFlag) != 0 ? HeaderBit : 0);
        byte* field = entry + HeaderSize;
        if ((flags & ExpiryFlag) != 0)
        {
            *(long*)field = expiry;
            field += sizeof(long);
        }

        if ((flags & StampFlag) != 0)
        {
            *(uint*)field = stamp;
            field += sizeof(uint);
        }

        if ((flags & HeaderFlag) != 0)
        {
            *(int*)field = headerLength;
        }
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
