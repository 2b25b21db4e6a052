using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using NativeMap.Allocator;
using NativeMap.CacheServer.Commands;

namespace NativeMap.CacheServer.Server;

/// <summary>
/// What every connection shares: settings, counters, the client registry, the command table, the clock, and the
/// heap the store allocates from. One per <see cref="CacheServer"/>.
/// </summary>
internal sealed class ServerContext : IDisposable
{
    private readonly TextWriter? _log;
    private readonly object _logLock = new();

    /// <summary>Connections' working objects kept for reuse: enough for a burst of short-lived clients. Measured with the
    /// load program's churn mode (connect, PING, close): 4,055 → 3,440 managed bytes allocated per connection; the
    /// connection rate did not move beyond noise (TCP set-up dominates).</summary>
    private const int RetainedScratch = 256;

    public ServerContext(CacheServerOptions options)
    {
        Options = options;
        Settings = new ServerSettings(options);
        Stats = new ServerStats();
        Clients = new ClientRegistry(Stats);
        Commands = CommandCatalog.Create();
        Time = options.TimeProvider;
        StartedAt = Time.GetUtcNow();
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _log = options.Log;
        ScratchPolicy = new ConnectionScratchPolicy();
        ScratchPool = new DefaultObjectPool<ConnectionScratch>(ScratchPolicy, RetainedScratch);
        Heap = new SpanHeap(new SpanHeapOptions { Name = "cache-server", ScavengeDecay = options.ScavengeDecay });
    }

    public CacheServerOptions Options { get; }

    /// <summary>Per-connection working objects (<see cref="ConnectionScratch"/>), reused across connections.</summary>
    public ObjectPool<ConnectionScratch> ScratchPool { get; }

    public ConnectionScratchPolicy ScratchPolicy { get; }

    public ServerSettings Settings { get; }

    public ServerStats Stats { get; }

    public ClientRegistry Clients { get; }

    public CommandTable Commands { get; }

    public TimeProvider Time { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>40 hex characters, new per start, as Redis's <c>run_id</c>.</summary>
    public string RunId { get; }

    /// <summary>The heap holding the store's keys, values and tables: what INFO memory reports and maxmemory limits.</summary>
    public SpanHeap Heap { get; }

    /// <summary>The TCP port actually bound (the one asked for, or the one the OS picked for port 0).</summary>
    public int Port { get; set; }

    /// <summary>Writes one line to the server's log, if it has one; safe from any thread.</summary>
    public void Log(string message)
    {
        if (_log is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log.WriteLine($"{Time.GetUtcNow():yyyy-MM-dd HH:mm:ss.fff} {message}");
            _log.Flush();
        }
    }

    public void Dispose() => Heap.Dispose();
}
