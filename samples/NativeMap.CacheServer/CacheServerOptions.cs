using System.Net;

namespace NativeMap.CacheServer;

/// <summary>
/// Settings of a <see cref="CacheServer"/>, fixed when it starts. <c>maxmemory</c>, <c>maxmemory-policy</c>,
/// <c>proto-max-bulk-len</c>, <c>maxclients</c> and <c>requirepass</c> can be changed later with <c>CONFIG SET</c>.
/// Every default is Redis's, except the port (6399, so that it can run beside a redis-server on 6379).
/// </summary>
public sealed record CacheServerOptions
{
    /// <summary>Default TCP port: Redis's 6379 + 20, so both servers can run side by side for comparison.</summary>
    public const int DefaultPort = 6399;

    /// <summary>Default largest bulk string a client may send: 512 MiB, Redis's <c>proto-max-bulk-len</c>.</summary>
    public const long DefaultMaxBulkBytes = 512L * 1024 * 1024;

    /// <summary>Smallest <c>proto-max-bulk-len</c> Redis accepts (1 MiB); the same floor here.</summary>
    public const long MinMaxBulkBytes = 1024 * 1024;

    /// <summary>Default cap on connected clients: Redis's <c>maxclients</c> default.</summary>
    public const int DefaultMaxClients = 10_000;

    /// <summary>Default number of keys sampled per eviction step: Redis's <c>maxmemory-samples</c> default.</summary>
    public const int DefaultMaxMemorySamples = 5;

    /// <summary>Default time a freed heap page stays resident before the scavenger returns it: the heap's 10 s.</summary>
    public static readonly TimeSpan DefaultScavengeDecay = TimeSpan.FromSeconds(10);

    /// <summary>TCP port to listen on; 0 picks a free port (tests), read back from <see cref="CacheServer.EndPoint"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Address to bind: loopback by default. Binding beyond loopback without <see cref="RequirePass"/> is the
    /// operator's choice, as with Redis's protected mode off.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Used-memory limit in bytes (<c>maxmemory</c>); 0 = no limit.</summary>
    public long MaxMemory { get; init; }

    /// <summary>What to do when a write would exceed <see cref="MaxMemory"/> (<c>maxmemory-policy</c>).</summary>
    public EvictionPolicy MaxMemoryPolicy { get; init; } = EvictionPolicy.NoEviction;

    /// <summary>Keys sampled per eviction step (<c>maxmemory-samples</c>).</summary>
    public int MaxMemorySamples { get; init; } = DefaultMaxMemorySamples;

    /// <summary>Largest bulk string accepted in a request (<c>proto-max-bulk-len</c>); longer is a protocol error,
    /// refused before anything is buffered for it.</summary>
    public long MaxBulkBytes { get; init; } = DefaultMaxBulkBytes;

    /// <summary>Most clients connected at once (<c>maxclients</c>); one more gets <c>-ERR max number of clients reached</c>.</summary>
    public int MaxClients { get; init; } = DefaultMaxClients;

    /// <summary>Password of the <c>default</c> user (<c>requirepass</c>); null = no authentication.</summary>
    public string? RequirePass { get; init; }

    /// <summary>Whether <see cref="MaxMemory"/> bounds the whole process (the store's limit is maxmemory minus what the
    /// runtime holds besides the store; see <c>MemoryGovernor</c>) rather than the store's heap bytes alone.</summary>
    public bool MaxMemoryIncludesProcess { get; init; } = true;

    /// <summary>Share of one core the heap's scavenger may spend returning pages to the OS. Higher than the heap's
    /// default (5 %): a cache server wants memory freed by FLUSHALL or DEL back soon after the decay (1 GB takes about
    /// 4 s at 5 %, under a second at 25 %).</summary>
    public double ScavengerCpuPercent { get; init; } = DefaultScavengerCpuPercent;

    /// <summary>Default <see cref="ScavengerCpuPercent"/>: 25 % of one core.</summary>
    public const double DefaultScavengerCpuPercent = 25;

    /// <summary>Whether the store compacts itself (Redis's <c>activedefrag</c>): after scattered deletes and evictions,
    /// writes and the store's maintenance timer move entries out of sparse heap spans so that the spans empty and go
    /// back to the OS (<see cref="CompactionOptions.Automatic"/>). On by default; <c>--no-compaction</c> turns it off.</summary>
    public bool AutomaticCompaction { get; init; } = true;

    /// <summary>Decay of the store's heap: how long freed pages stay resident before going back to the OS.</summary>
    public TimeSpan ScavengeDecay { get; init; } = DefaultScavengeDecay;

    /// <summary>Clock for expiry and uptime; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the server writes its log lines (ready, stopped, client errors); null = nowhere.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"port must be between 0 and {IPEndPoint.MaxPort}, not {Port}.", nameof(Port));
        }

        ArgumentNullException.ThrowIfNull(BindAddress);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (MaxMemory < 0)
        {
            throw new ArgumentException($"maxmemory must not be negative, not {MaxMemory}.", nameof(MaxMemory));
        }

        if (!Enum.IsDefined(MaxMemoryPolicy))
        {
            throw new ArgumentException($"unknown maxmemory-policy {MaxMemoryPolicy}.", nameof(MaxMemoryPolicy));
        }

        if (MaxMemorySamples < 1)
        {
            throw new ArgumentException($"maxmemory-samples must be at least 1, not {MaxMemorySamples}.", nameof(MaxMemorySamples));
        }

        if (MaxBulkBytes < MinMaxBulkBytes)
        {
            throw new ArgumentException($"max-bulk must be at least {MinMaxBulkBytes} bytes, not {MaxBulkBytes}.", nameof(MaxBulkBytes));
        }

        if (MaxClients < 1)
        {
            throw new ArgumentException($"max-clients must be at least 1, not {MaxClients}.", nameof(MaxClients));
        }

        if (!(ScavengerCpuPercent > 0 && ScavengerCpuPercent <= 100))
        {
            throw new ArgumentException($"scavenger-cpu must be in (0, 100], not {ScavengerCpuPercent}.", nameof(ScavengerCpuPercent));
        }

        if (ScavengeDecay < TimeSpan.Zero)
        {
            throw new ArgumentException($"decay must not be negative, not {ScavengeDecay}.", nameof(ScavengeDecay));
        }
    }
}
