using System.Net;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>A <see cref="CacheServer"/> started in-process on a free loopback port, stopped on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly StringWriter _log;

    /// <summary>The synchronised wrapper the server writes through; its methods lock the wrapper itself.</summary>
    private readonly TextWriter _logWriter;

    private TestServer(CacheServer server, StringWriter log, TextWriter logWriter)
    {
        Server = server;
        _log = log;
        _logWriter = logWriter;
    }

    public CacheServer Server { get; }

    public IPEndPoint EndPoint => Server.EndPoint;

    public int Port => EndPoint.Port;

    /// <summary>What the server logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_logWriter)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<TestServer> StartAsync(CacheServerOptions? options = null)
    {
        var log = new StringWriter();
        TextWriter logWriter = TextWriter.Synchronized(log);
        options = (options ?? new CacheServerOptions()) with { Port = 0, BindAddress = IPAddress.Loopback, Log = logWriter };
        CacheServer server = await CacheServer.StartAsync(options);
        return new TestServer(server, log, logWriter);
    }

    public RawClient Connect() => new(EndPoint);

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
