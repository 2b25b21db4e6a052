using System.Globalization;
using System.Net;

namespace NativeMap.CacheServer;

/// <summary>
/// The server's command line: <c>--port</c>, <c>--bind</c>, <c>--maxmemory</c>, <c>--maxmemory-policy</c>,
/// <c>--max-bulk</c>, <c>--max-clients</c>, <c>--requirepass</c>, <c>--maxmemory-store-only</c>, <c>--no-compaction</c>, <c>--decay</c>,
/// <c>--scavenger-cpu</c>, <c>--help</c>. Each takes its value
/// as the next argument or after <c>=</c>. Bad input is an <see cref="ArgumentException"/> whose message the program
/// prints before the usage text.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: NativeMap.CacheServer [options]
          --port N                 TCP port (default 6399; 0 = any free port)
          --bind ADDRESS           address to listen on (default 127.0.0.1)
          --maxmemory SIZE         used-memory limit, e.g. 256mb, 1gb (default 0 = none)
          --maxmemory-policy NAME  noeviction (default), allkeys-lru, allkeys-random, volatile-lru,
                                   volatile-random, volatile-ttl
          --max-bulk SIZE          largest bulk string accepted (default 512mb)
          --max-clients N          most clients at once (default 10000)
          --requirepass PASSWORD   require AUTH with this password
          --maxmemory-store-only   maxmemory bounds the store's heap bytes only, not the whole process
          --no-compaction          the store does not compact itself after scattered deletes (activedefrag no)
          --decay SECONDS          how long freed heap pages stay resident before going back to the OS (default 10)
          --scavenger-cpu PERCENT  share of a core the heap may spend returning pages to the OS (default 25)
          --help                   this text
        """;

    /// <summary>Parses <paramref name="args"/>; returns null when <c>--help</c> was asked for.</summary>
    public static CacheServerOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new CacheServerOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                return null;
            }

            if (arg == "--maxmemory-store-only")
            {
                options = options with { MaxMemoryIncludesProcess = false };
                continue;
            }

            if (arg == "--no-compaction")
            {
                options = options with { AutomaticCompaction = false };
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'.");
            }

            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }

            if (value is null)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            options = name switch
            {
                "--port" => options with { Port = ParseInt(name, value) },
                "--bind" => options with { BindAddress = ParseAddress(value) },
                "--maxmemory" => options with { MaxMemory = ParseSize(name, value) },
                "--maxmemory-policy" => options with { MaxMemoryPolicy = ParsePolicy(value) },
                "--max-bulk" => options with { MaxBulkBytes = ParseSize(name, value) },
                "--max-clients" => options with { MaxClients = ParseInt(name, value) },
                "--requirepass" => options with { RequirePass = value.Length == 0 ? null : value },
                "--decay" => options with { ScavengeDecay = TimeSpan.FromSeconds(ParseDouble(name, value)) },
                "--scavenger-cpu" => options with { ScavengerCpuPercent = ParseDouble(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        options.Validate();
        return options;
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new ArgumentException($"{name} needs an integer, not '{value}'.");

    private static double ParseDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) && double.IsFinite(result)
            ? result
            : throw new ArgumentException($"{name} needs a number, not '{value}'.");

    private static long ParseSize(string name, string value) =>
        MemorySize.TryParse(value.AsSpan(), out long bytes)
            ? bytes
            : throw new ArgumentException($"{name} needs a size such as 1048576, 100mb or 1gb, not '{value}'.");

    private static EvictionPolicy ParsePolicy(string value) =>
        EvictionPolicyNames.TryParse(value, out EvictionPolicy policy)
            ? policy
            : throw new ArgumentException(
                $"--maxmemory-policy must be one of {string.Join(", ", EvictionPolicyNames.All)}, not '{value}'.");

    private static IPAddress ParseAddress(string value)
    {
        if (value.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(value, out IPAddress? address)
            ? address
            : throw new ArgumentException($"--bind needs an IP address, not '{value}'.");
    }
}
