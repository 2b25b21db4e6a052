using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>
/// What the Linux kernel says about transparent huge pages (<c>/sys/kernel/mm/transparent_hugepage</c>): the mode
/// (<c>always</c>, <c>madvise</c>, <c>never</c>), the defrag policy, and the huge page size.
/// </summary>
/// <remarks>
/// In <c>madvise</c> mode only ranges advised with <c>MADV_HUGEPAGE</c> get huge pages; with <c>defrag</c> also in
/// <c>madvise</c> (the default), a fault in such a range compacts memory if it has to, so the first touch gets a huge
/// page even when free memory is fragmented. In <c>always</c> mode every anonymous range may get them, whatever the
/// heap asks; in <c>never</c> mode none does and the heap gives no advice.
/// </remarks>
internal static class TransparentHugePages
{
    private const string Root = "/sys/kernel/mm/transparent_hugepage/";

    /// <summary>The selected word of <c>enabled</c> (<c>always</c>, <c>madvise</c>, <c>never</c>), or null when the
    /// kernel has no THP (or this is not Linux).</summary>
    public static string? Mode => ReadSelected("enabled");

    /// <summary>The selected word of <c>defrag</c>, or null.</summary>
    public static string? Defrag => ReadSelected("defrag");

    /// <summary>The PMD huge page size in bytes when the mode is not <c>never</c>; else 0.</summary>
    public static int PmdSizeIfAvailable()
    {
        string? mode = Mode;
        if (mode is null || mode == "never")
        {
            return 0;
        }

        try
        {
            string text = File.ReadAllText(Root + "hpage_pmd_size").Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long size) && size > 0 && size <= 1L << 30
                && (size & (size - 1)) == 0 ? (int)size : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The bracketed word of a sysfs choice file ("always [madvise] never" → "madvise").</summary>
    private static string? ReadSelected(string file)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string text = File.ReadAllText(Root + file);
            int open = text.IndexOf('[', StringComparison.Ordinal);
            int close = text.IndexOf(']', StringComparison.Ordinal);
            return open >= 0 && close > open ? text[(open + 1)..close] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
