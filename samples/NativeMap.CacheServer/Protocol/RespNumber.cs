using System.Buffers.Text;

namespace NativeMap.CacheServer.Protocol;

/// <summary>
/// Integers as Redis reads and writes them (<c>string2ll</c> / <c>ll2string</c> in Redis's util.c): an optional
/// <c>-</c>, then digits with no leading zero (except "0" itself), no <c>+</c>, no spaces, at most 20 characters,
/// within <see cref="long"/>. "-0", "007", " 1" and "1 " are not integers. Used for the protocol's lengths and for
/// every integer argument (SELECT, EXPIRE, INCRBY), so that what Redis refuses is refused here too.
/// </summary>
internal static class RespNumber
{
    /// <summary>Longest text <see cref="TryParse"/> accepts: "-9223372036854775808" (Redis's LONG_STR_SIZE - 1).</summary>
    public const int MaxLength = 20;

    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        bool negative = text[0] == (byte)'-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits[0] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            if (magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    /// <summary>Writes <paramref name="value"/> in decimal; returns the bytes written (at most <see cref="MaxLength"/>).</summary>
    public static int Format(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written);
        return written;
    }
}
