namespace NativeMap.CacheServer.Text;

/// <summary>
/// Redis's glob patterns (<c>stringmatchlen</c>), for KEYS, SCAN MATCH and CONFIG GET: <c>*</c> any run, <c>?</c> one
/// byte, <c>[abc]</c>, <c>[^abc]</c>, <c>[a-z]</c> (reversed ranges allowed), <c>\x</c> a literal x; an unclosed
/// <c>[</c> takes the rest of the pattern as its class, as Redis does.
/// </summary>
/// <remarks>
/// Redis matches <c>*</c> by recursion (with a cut-off added in 7.0 against patterns like <c>a*a*a*a*b</c>). Here every
/// token but <c>*</c> matches exactly one byte, so backtracking only to the last <c>*</c> is enough and the match is
/// O(pattern × text) in the worst case with no recursion: a hostile pattern cannot blow the stack or burn the CPU.
/// </remarks>
internal static class GlobPattern
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase)
    {
        int p = 0;
        int s = 0;
        int starPattern = -1;
        int starText = -1;
        while (s < text.Length)
        {
            if (p < pattern.Length)
            {
                if (pattern[p] == (byte)'*')
                {
                    while (p < pattern.Length && pattern[p] == (byte)'*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    starPattern = p;
                    starText = s;
                    continue;
                }

                int next = MatchToken(pattern, p, text[s], ignoreCase, out bool matched);
                if (matched)
                {
                    p = next;
                    s++;
                    continue;
                }
            }

            if (starPattern < 0)
            {
                return false;
            }

            starText++;
            s = starText;
            p = starPattern;
        }

        while (p < pattern.Length && pattern[p] == (byte)'*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern has no <c>*</c>, <c>?</c>, <c>[</c> or <c>\</c>: it names one key.</summary>
    public static bool IsLiteral(ReadOnlySpan<byte> pattern) => pattern.IndexOfAny("*?[\\"u8) < 0;

    /// <summary>Matches the one-byte token at <paramref name="p"/> against <paramref name="c"/>; returns the index after it.</summary>
    private static int MatchToken(ReadOnlySpan<byte> pattern, int p, byte c, bool ignoreCase, out bool matched)
    {
        byte token = pattern[p];
        if (token == (byte)'?')
        {
            matched = true;
            return p + 1;
        }

        if (token == (byte)'\\' && p + 1 < pattern.Length)
        {
            matched = Equal(pattern[p + 1], c, ignoreCase);
            return p + 2;
        }

        if (token != (byte)'[')
        {
            matched = Equal(token, c, ignoreCase);
            return p + 1;
        }

        int i = p + 1;
        bool negate = i < pattern.Length && pattern[i] == (byte)'^';
        if (negate)
        {
            i++;
        }

        bool match = false;
        while (i < pattern.Length)
        {
            byte b = pattern[i];
            if (b == (byte)'\\' && i + 1 < pattern.Length)
            {
                i++;
                match |= pattern[i] == c;
            }
            else if (b == (byte)']')
            {
                break;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-')
            {
                byte start = b;
                byte end = pattern[i + 2];
                byte value = c;
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                if (ignoreCase)
                {
                    start = Lower(start);
                    end = Lower(end);
                    value = Lower(value);
                }

                i += 2;
                match |= value >= start && value <= end;
            }
            else
            {
                match |= Equal(b, c, ignoreCase);
            }

            i++;
        }

        matched = negate ? !match : match;
        return Math.Min(i + 1, pattern.Length);
    }

    private static bool Equal(byte a, byte b, bool ignoreCase) => a == b || (ignoreCase && Lower(a) == Lower(b));

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
