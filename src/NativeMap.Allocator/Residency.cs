using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>
/// What the kernel says about a heap's arenas, from <see cref="SpanHeap.ReadResidency"/>.
/// </summary>
public readonly record struct HeapResidency
{
    /// <summary>Resident bytes of the heap's arenas as the kernel counts them (<c>Rss</c>), or -1 when it cannot be read.
    /// Compare with <see cref="HeapStats.ResidentBytes"/>, the heap's own count.</summary>
    public long ResidentBytes { get; init; }

    /// <summary>Bytes of the arenas mapped as transparent huge pages (<c>AnonHugePages</c>), or -1 when it cannot be read.</summary>
    public long HugePageBytes { get; init; }

    /// <summary>Bytes the heap advised for huge pages (<see cref="HeapStats.HugePageAdvisedBytes"/>).</summary>
    public long HugePageAdvisedBytes { get; init; }

    /// <summary>The kernel's transparent huge page mode (<c>always</c>, <c>madvise</c>, <c>never</c>), or null when it has
    /// none or this is not Linux.</summary>
    public string? TransparentHugePageMode { get; init; }
}

/// <summary>Reads <c>/proc/self/smaps</c> for the mappings inside given address ranges.</summary>
internal static class Residency
{
    public static HeapResidency Read((nuint Start, nuint End)[] ranges, long advisedBytes)
    {
        var result = new HeapResidency
        {
            ResidentBytes = -1,
            HugePageBytes = -1,
            HugePageAdvisedBytes = advisedBytes,
            TransparentHugePageMode = TransparentHugePages.Mode,
        };
        if (!OperatingSystem.IsLinux())
        {
            return result;
        }

        try
        {
            (long rss, long huge) = Sum(File.ReadLines("/proc/self/smaps"), ranges);
            return result with { ResidentBytes = rss, HugePageBytes = huge };
        }
        catch (IOException)
        {
            return result;
        }
        catch (UnauthorizedAccessException)
        {
            return result;
        }
    }

    /// <summary>
    /// Sums <c>Rss</c> and <c>AnonHugePages</c> over the mappings of an smaps listing that overlap
    /// <paramref name="ranges"/> (sorted, disjoint). A mapping that reaches outside them (the kernel merges neighbouring
    /// mappings with equal flags) is counted in proportion to its overlap.
    /// </summary>
    internal static (long Rss, long HugePages) Sum(IEnumerable<string> smaps, (nuint Start, nuint End)[] ranges)
    {
        long rss = 0, huge = 0;
        double share = 0;
        foreach (string line in smaps)
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && TryParseHeader(line, out ulong start, out ulong end))
            {
                share = Overlap(start, end, ranges) / (double)(end - start);
            }
            else if (share > 0 && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss += (long)(Kib(line) * share) * 1024;
            }
            else if (share > 0 && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
            {
                huge += (long)(Kib(line) * share) * 1024;
            }
        }

        return (rss, huge);
    }

    private static bool TryParseHeader(string line, out ulong start, out ulong end)
    {
        start = end = 0;
        int dash = line.IndexOf('-', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash
            && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out start)
            && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out end)
            && end > start;
    }

    private static ulong Overlap(ulong start, ulong end, (nuint Start, nuint End)[] ranges)
    {
        ulong total = 0;
        foreach ((nuint rs, nuint re) in ranges)
        {
            ulong from = Math.Max(start, rs), to = Math.Min(end, re);
            if (to > from)
            {
                total += to - from;
            }
        }

        return total;
    }

    private static long Kib(string line)
    {
        ReadOnlySpan<char> rest = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        int space = rest.IndexOf(' ');
        return long.TryParse(space < 0 ? rest : rest[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib) ? kib : 0;
    }
}
