using System.Diagnostics;
using System.Reflection;

namespace NativeMap.MemoryReturn;

/// <summary>
/// Starts this program again as a child. Under <c>dotnet run</c> the process is the app host
/// (<c>bin/…/NativeMap.MemoryReturn</c>), which is started as it is; under <c>dotnet NativeMap.MemoryReturn.dll</c> (and
/// in the tests) the process is the <c>dotnet</c> host, which is given the entry assembly's path first.
/// </summary>
public static class SelfLauncher
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath
            ?? throw new MemoryReturnException("cannot start the child processes: the path of this process is unknown");
        var startInfo = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        if (IsDotnetHost(host))
        {
            string? entryAssembly = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entryAssembly))
            {
                throw new MemoryReturnException("cannot start the child processes: running under the dotnet host, but the entry assembly has no path");
            }

            startInfo.ArgumentList.Add(entryAssembly);
        }

        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static bool IsDotnetHost(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
