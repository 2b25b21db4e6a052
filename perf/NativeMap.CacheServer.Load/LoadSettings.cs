using System.Globalization;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// What a run measures and how big it is. The full sizes are the targets (1 M keys × 1,000 bytes; 256 MB
/// limit and 1 GB written); <c>--quick</c> shrinks everything so that a test can run the whole program in seconds.
/// </summary>
public sealed record LoadSettings
{
    public const string Usage = """
        Usage: NativeMap.CacheServer.Load <throughput|memory|eviction|churn|all> [options]
          throughput   redis-benchmark -t set,get,mset,incr (and MGET of 10 keys) -d 100 -n 1000000 -c 50 -r 1000000,
                       pipelined (-P 16) and not (-P 1), against both servers in turn
          memory       load N keys x V bytes, FLUSHALL; and load, DEL 90 % scattered, wait 30 s, FLUSHALL:
                       RSS of each server sampled every 100 ms, chart and table
          eviction     --maxmemory 256mb allkeys-lru: write 1 GB of distinct keys (RSS sampled), then a Zipf
                       cache-aside GET load (hit rate)
          churn        connect, PING, close, over and over: connections/s and managed bytes per connection
          all          throughput, memory and eviction, in that order
        Options:
          --quick            small sizes (CI's smoke run)
          --out DIR          where results go (default: perf/NativeMap.CacheServer.Load/results)
          --keys N           keys to load (default 1000000)
          --value-size B     value size for memory runs (default 1000)
          --decay S          NativeMap server's heap decay in seconds (default 10)
          --no-redis         measure NativeMap.CacheServer only
          --rounds N         throughput rounds (default 2)
        """;

    public required string Mode { get; init; }

    public bool Quick { get; init; }

    public required string OutputDirectory { get; init; }

    public int Keys { get; init; } = 1_000_000;

    public int ValueSize { get; init; } = 1000;

    public TimeSpan Decay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Full path of redis-server, or null to measure NativeMap.CacheServer alone.</summary>
    public string? RedisServer { get; init; }

    /// <summary>NativeMap.CacheServer.dll, copied next to this program by the project reference.</summary>
    public string ServerDll { get; init; } = Path.Combine(AppContext.BaseDirectory, "NativeMap.CacheServer.dll");

    public int Rounds { get; init; } = 2;

    /// <summary>Connections the load generator uses at once.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Requests per pipelined batch of the load generator.</summary>
    public int Pipeline { get; init; } = 64;

    /// <summary>How long to watch RSS after the scattered DEL (the "30 s later").</summary>
    public TimeSpan AfterDelete { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Eviction run: the limit both servers get.</summary>
    public long MaxMemory { get; init; } = 256L << 20;

    /// <summary>Eviction run: bytes of distinct values written.</summary>
    public long EvictionBytes { get; init; } = 1L << 30;

    /// <summary>Eviction run: GETs of the Zipf load (the first half warms the cache, the second half is measured).</summary>
    public int ZipfOperations { get; init; } = 2_000_000;

    /// <summary>Zipf exponent of the GET load.</summary>
    public double ZipfExponent { get; init; } = 0.99;

    /// <summary>redis-benchmark sizes.</summary>
    public int BenchmarkRequests { get; init; } = 1_000_000;

    public int BenchmarkRequestsUnpipelined { get; init; } = 1_000_000;

    public static LoadSettings Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h")
        {
            throw new ArgumentException("no mode given");
        }

        string mode = args[0];
        if (mode is not ("throughput" or "memory" or "eviction" or "churn" or "all"))
        {
            throw new ArgumentException($"unknown mode '{mode}'");
        }

        bool quick = args.Contains("--quick");
        string defaultOut = Path.Combine(currentDirectory, "perf", "NativeMap.CacheServer.Load", "results");
        var settings = new LoadSettings
        {
            Mode = mode,
            Quick = quick,
            OutputDirectory = Directory.Exists(Path.GetDirectoryName(defaultOut)) ? defaultOut : Path.Combine(currentDirectory, "results"),
            RedisServer = FindOnPath("redis-server"),
        };
        if (quick)
        {
            settings = settings with
            {
                Keys = 20_000,
                Decay = TimeSpan.FromSeconds(2),
                AfterDelete = TimeSpan.FromSeconds(3),
                MaxMemory = 8L << 20,
                EvictionBytes = 32L << 20,
                ZipfOperations = 40_000,
                BenchmarkRequests = 20_000,
                BenchmarkRequestsUnpipelined = 5_000,
                Rounds = 1,
            };
        }

        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            settings = arg switch
            {
                "--quick" => settings,
                "--out" => settings with { OutputDirectory = Path.GetFullPath(Next(), currentDirectory) },
                "--keys" => settings with { Keys = ParseInt(arg, Next()) },
                "--value-size" => settings with { ValueSize = ParseInt(arg, Next()) },
                "--decay" => settings with { Decay = TimeSpan.FromSeconds(ParseInt(arg, Next())) },
                "--rounds" => settings with { Rounds = ParseInt(arg, Next()) },
                "--no-redis" => settings with { RedisServer = null },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        return settings;
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) && result > 0
            ? result
            : throw new ArgumentException($"{name} needs a positive integer, not '{value}'");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
