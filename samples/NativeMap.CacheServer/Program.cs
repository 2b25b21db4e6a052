using System.Runtime.InteropServices;
using NativeMap.CacheServer;

// NativeMap.CacheServer: dotnet run -c Release --project samples/NativeMap.CacheServer -- --port 6399
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
