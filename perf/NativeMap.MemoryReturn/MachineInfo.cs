using System.Runtime;
using System.Runtime.InteropServices;

namespace NativeMap.MemoryReturn;

/// <summary>The machine and runtime a run was made on, for the summary.</summary>
public sealed record MachineInfo(string OperatingSystem, string Kernel, string Cpu, int Cores, long MemoryBytes, string Runtime, string GarbageCollector)
{
    public static MachineInfo Current()
    {
        string os = ReadKeyValue("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription;
        string kernel = ReadFirstLine("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription;
        string cpu = ReadKeyValue("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        string runtime = $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})";
        string gc = (GCSettings.IsServerGC ? "server" : "workstation") +
            (GCSettings.LatencyMode == GCLatencyMode.Interactive ? ", concurrent" : $", {GCSettings.LatencyMode}");
        return new MachineInfo(os, kernel, cpu, Environment.ProcessorCount, memory, runtime, gc);
    }

    /// <summary>One line: "Debian GNU/Linux 12 (bookworm), kernel 6.1.0, 2 cores (Intel …), 24 GiB; .NET 10.0.0 (X64), workstation GC".</summary>
    public override string ToString() =>
        $"{OperatingSystem}, kernel {Kernel}, {Cores} cores ({Cpu}), {MemoryBytes / (1024.0 * 1024 * 1024):F0} GiB; {Runtime}, {GarbageCollector} GC";

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadKeyValue(string path, string key, char separator)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            foreach (string line in File.ReadLines(path))
            {
                int at = line.IndexOf(separator, StringComparison.Ordinal);
                if (at > 0 && line.AsSpan(0, at).Trim().SequenceEqual(key))
                {
                    return line[(at + 1)..].Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
