using System.Diagnostics;
using System.Globalization;

namespace NativeMap.Allocator;

/// <summary>
/// Reads the process's resident set size, the figure an operator's dashboard shows and the one the heap works to
/// bring down. For demos, perf programs and tests that check memory really went back to the OS.
/// </summary>
public static class ProcessMemory
{
    /// <summary>
    /// Resident set size of this process in bytes: <c>VmRSS</c> from <c>/proc/self/status</c> on Linux (read fresh on every
    /// call), the working set elsewhere.
    /// </summary>
    public static long GetResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            long kib = ReadProcStatusKib("VmRSS:");
            if (kib >= 0)
            {
                return kib * 1024;
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Reads one "Name:   123 kB" line of /proc/self/status; -1 when absent.</summary>
    private static long ReadProcStatusKib(string field)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    ReadOnlySpan<char> rest = line.AsSpan(field.Length).Trim();
                    int space = rest.IndexOf(' ');
                    return long.Parse(space < 0 ? rest : rest[..space], NumberStyles.Integer, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
