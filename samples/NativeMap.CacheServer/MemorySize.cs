using System.Globalization;

namespace NativeMap.CacheServer;

/// <summary>
/// Redis's memory sizes (<c>memtoll</c>): a non-negative integer optionally followed by a unit, case-insensitive:
/// <c>b</c>, <c>k</c> = 1000, <c>kb</c> = 1024, <c>m</c> = 10^6, <c>mb</c> = 2^20, <c>g</c> = 10^9, <c>gb</c> = 2^30.
/// Used for <c>--maxmemory</c>, <c>--max-bulk</c> and <c>CONFIG SET maxmemory</c>, so that <c>256mb</c> means what it
/// means to a Redis user.
/// </summary>
internal static class MemorySize
{
    public static bool TryParse(ReadOnlySpan<char> text, out long bytes)
    {
        bytes = 0;
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            return false;
        }

        long multiplier;
        ReadOnlySpan<char> unit = text[digits..];
        if (unit.IsEmpty || unit.Equals("b", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1;
        }
        else if (unit.Equals("k", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000;
        }
        else if (unit.Equals("kb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024;
        }
        else if (unit.Equals("m", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000 * 1000;
        }
        else if (unit.Equals("mb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024 * 1024;
        }
        else if (unit.Equals("g", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000L * 1000 * 1000;
        }
        else if (unit.Equals("gb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024L * 1024 * 1024;
        }
        else
        {
            return false;
        }

        if (number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }

    public static bool TryParse(ReadOnlySpan<byte> text, out long bytes)
    {
        Span<char> chars = stackalloc char[32];
        if (text.Length > chars.Length)
        {
            bytes = 0;
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        return TryParse(chars[..text.Length], out bytes);
    }
}
