using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// A server under test in a child process of its own, on a free loopback port: its RSS is its own, read from
/// <c>/proc/PID/status</c>. Stopped with SIGTERM (both servers shut down cleanly on it), killed if it does not exit.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(ServerKind kind, Process process, int port)
    {
        Kind = kind;
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public ServerKind Kind { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Name => Kind == ServerKind.NativeMap ? "NativeMap.CacheServer" : "redis-server";

    /// <summary>Starts the server with <c>--maxmemory</c> and policy when given, and waits until it answers PING.</summary>
    public static async Task<ServerProcess> StartAsync(ServerKind kind, LoadSettings settings, long maxMemory = 0, string? policy = null)
    {
        int port = FreePort();
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        List<string> args = [];
        if (kind == ServerKind.NativeMap)
        {
            startInfo.FileName = DotnetHost();
            args.AddRange([settings.ServerDll, "--port", Invariant(port), "--decay", Invariant((long)settings.Decay.TotalSeconds)]);
            if (maxMemory > 0)
            {
                args.AddRange(["--maxmemory", Invariant(maxMemory), "--maxmemory-policy", policy ?? "noeviction"]);
            }
        }
        else
        {
            startInfo.FileName = settings.RedisServer ?? throw new InvalidOperationException("redis-server is not installed");
            args.AddRange(["--port", Invariant(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]);
            if (maxMemory > 0)
            {
                args.AddRange(["--maxmemory", Invariant(maxMemory), "--maxmemory-policy", policy ?? "noeviction"]);
            }
        }

        foreach (string arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {startInfo.FileName}");
        var server = new ServerProcess(kind, process, port);
        await server.WaitUntilReadyAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Resident set size of the server process (VmRSS).</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string number = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for pid {Pid}");
    }

    /// <summary>The server's log so far (diagnostics when something fails).</summary>
    public string Output()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(Pid, 15);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: {Output()}");
            }

            try
            {
                using var client = await RespClient.ConnectAsync(Port).ConfigureAwait(false);
                if (await client.CallAsync("PING").ConfigureAwait(false) == "PONG")
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string DotnetHost() => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
        ? path
        : "dotnet";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
