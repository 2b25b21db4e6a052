using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>Parsers for the environment variables of <see cref="SpanHeapOptions.FromEnvironment()"/>.</summary>
internal static class EnvironmentParsing
{
    /// <summary>Parses <c>10s</c>, <c>250ms</c>, <c>2m</c>, <c>1h</c> or a plain number of seconds.</summary>
    public static TimeSpan ParseDuration(string variable, string text)
    {
        string s = text.Trim().ToLowerInvariant();
        (string number, double unitSeconds) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (s[..^2], 0.001),
            _ when s.EndsWith('s') => (s[..^1], 1.0),
            _ when s.EndsWith('m') => (s[..^1], 60.0),
            _ when s.EndsWith('h') => (s[..^1], 3600.0),
            _ => (s, 1.0),
        };

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || !double.IsFinite(value))
        {
            throw new ArgumentException($"{variable}: '{text}' is not a duration (examples: 10s, 500ms, 2m).");
        }

        return TimeSpan.FromSeconds(value * unitSeconds);
    }

    /// <summary>Parses a byte count with an optional suffix (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB); <c>off</c> means no limit.</summary>
    public static long? ParseByteSize(string variable, string text)
    {
        string s = text.Trim();
        if (s.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        int split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        string suffix = s[split..].Trim().ToUpperInvariant();
        double multiplier = suffix switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => double.NaN,
        };

        if (double.IsNaN(multiplier)
            || !double.TryParse(s[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || value * multiplier < 1 || value * multiplier > long.MaxValue)
        {
            throw new ArgumentException($"{variable}: '{text}' is not a byte size (examples: 512MiB, 2GiB, 1000000, off).");
        }

        return (long)(value * multiplier);
    }

    /// <summary>Parses on/off, 1/0, true/false, yes/no.</summary>
    public static bool ParseSwitch(string variable, string text) => text.Trim().ToLowerInvariant() switch
    {
        "1" or "on" or "true" or "yes" => true,
        "0" or "off" or "false" or "no" => false,
        _ => throw new ArgumentException($"{variable}: '{text}' is not on/off (1/0, true/false)."),
    };

    /// <summary>Splits <c>a=1,b=0</c> into pairs.</summary>
    public static IEnumerable<(string Key, string Value)> ParseSettings(string variable, string text)
    {
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"{variable}: '{part}' is not key=value.");
            }

            yield return (part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..].Trim());
        }
    }
}
