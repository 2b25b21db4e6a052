using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>The server as a program: its command line, its ready line, and a clean stop on SIGINT and SIGTERM.</summary>
public partial class ServerProcessTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Theory]
    [InlineData(SigInt)]
    [InlineData(SigTerm)]
    public async Task Program_LogsReadyServesAndStopsCleanlyOnSignal(int signal)
    {
        using var process = StartServer("--port", "0", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru", "--no-compaction");
        var lines = new List<string>();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            Match match = ReadyLine().Match(e.Data);
            if (match.Success)
            {
                ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("PONG", await ExternalTool.CliAsync(port, "PING"));
            Assert.Equal("maxmemory\n67108864", await ExternalTool.CliAsync(port, "CONFIG", "GET", "maxmemory"));
            Assert.Equal("activedefrag\nno", await ExternalTool.CliAsync(port, "CONFIG", "GET", "activedefrag"));

            Assert.Equal(0, Kill(process.Id, signal));
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, process.ExitCode);
            lock (lines)
            {
                Assert.Single(lines, l => l.Contains("ready to accept connections", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.EndsWith("NativeMap.CacheServer stopped", StringComparison.Ordinal));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("--port", "x")]
    [InlineData("--maxmemory", "lots")]
    [InlineData("--maxmemory-policy", "volatile-lfu")]
    [InlineData("--max-bulk", "1kb")]
    [InlineData("--bind", "not-an-address")]
    [InlineData("--unknown", "1")]
    public async Task Program_BadArguments_ExitWithUsage(string name, string value)
    {
        using var process = StartServer(name, value);
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("error: ", error);
        Assert.Contains("Usage:", error);
    }

    private static Process StartServer(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(typeof(CacheServer).Assembly.Location);
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }

    private static string DotnetHost() => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
        ? path
        : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"ready to accept connections on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ReadyLine();
}
