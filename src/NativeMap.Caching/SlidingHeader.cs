using System.Buffers.Binary;

namespace NativeMap.Caching;

/// <summary>
/// The 16 bytes a sliding entry keeps beside its value, so that a read can move its deadline without knowing how it
/// was written: <c>[long sliding period, ticks][long absolute cap, UTC ticks]</c>, little-endian. An entry without a
/// sliding expiration keeps no header (its deadline never moves), so only sliding entries pay the 16 bytes.
/// </summary>
internal static class SlidingHeader
{
    /// <summary>Bytes of the header.</summary>
    public const int Size = 16;

    public static void Write(Span<byte> destination, in EntryLifetime lifetime)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, lifetime.SlidingTicks);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], lifetime.AbsoluteCap);
    }

    /// <summary>The deadline after a read at <paramref name="nowTicks"/> of an entry with this header: now + period,
    /// never past the cap. A header of any other length than <see cref="Size"/> (none) leaves the deadline alone.</summary>
    public static long Touch(ReadOnlySpan<byte> header, long nowTicks, long unchanged)
    {
        if (header.Length != Size)
        {
            return unchanged;
        }

        long sliding = BinaryPrimitives.ReadInt64LittleEndian(header);
        long cap = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return Math.Min(cap, EntryLifetime.SaturatingAdd(nowTicks, sliding));
    }
}
