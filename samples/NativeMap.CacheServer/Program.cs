using System.Runtime.InteropServices;
using NativeMap.CacheServer;

// NativeMap.CacheServer: dotnet run -c Release --project samples/NativeMap.CacheServer -- --port 6399

// Run socket continuations on the epoll threads (one per core with this setting) instead of handing each to the thread
// pool: a request is parsed, executed and answered on the thread that saw its bytes arrive, as in Redis's event loop.
// Measured with redis-benchmark -c 50 -d 100: -P 1 SET/GET/INCR went from about 0.7x redis-server's rate to about
// 1.0x, and -P 16 SET/GET from about 1.0x to 1.3x. Commands never block on I/O, so nothing waits on an event thread
// but the command itself (a KEYS over millions of keys holds other clients back, as it does in Redis). Set the
// variable to 0 to turn it off. It must be set before the first socket is created.
if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineCompletions, "1");
}

CacheServerOptions? options;
try
{
    options = CommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true; // we stop cleanly ourselves
    stop.TrySetResult();
}

using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

CacheServer server;
try
{
    server = await CacheServer.StartAsync(options with { Log = Console.Out });
}
catch (System.Net.Sockets.SocketException e)
{
    Console.Error.WriteLine($"error: cannot listen on {options.BindAddress}:{options.Port}: {e.Message}");
    return 1;
}

await stop.Task;
await server.DisposeAsync();
return 0;

/// <summary>The program's entry point (top-level statements) and its constants.</summary>
internal static partial class Program
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
