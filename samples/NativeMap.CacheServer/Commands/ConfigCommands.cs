using System.Diagnostics;
using System.Globalization;
using System.Text;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;
using NativeMap.CacheServer.Text;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// CONFIG GET / SET / RESETSTAT / HELP over the server's own settings, with Redis 7's error texts. The fixed entries
/// (<c>save</c>, <c>appendonly</c>, <c>databases</c>…) answer what redis-benchmark and client libraries ask at start;
/// this server keeps nothing on disk and has one database.
/// </summary>
internal static class ConfigCommands
{
    private static readonly ConfigParameter[] s_parameters =
    [
        new()
        {
            Name = "maxmemory",
            Get = s => Invariant(s.Settings.MaxMemory),
            Validate = v => MemorySize.TryParse(v.AsSpan(), out _) ? null : "argument must be a memory value",
            Apply = (s, v) => s.Settings.MaxMemory = ParseMemory(v),
        },
        new()
        {
            Name = "maxmemory-policy",
            Get = s => EvictionPolicyNames.ToName(s.Settings.Policy),
            Validate = v => EvictionPolicyNames.TryParse(v, out _)
                ? null
                : $"argument(s) must be one of the following: {string.Join(", ", EvictionPolicyNames.All)}",
            Apply = (s, v) => s.Settings.Policy = EvictionPolicyNames.TryParse(v, out EvictionPolicy policy)
                ? policy
                : throw new UnreachableException(),
        },
        // Fixed at start (--maxmemory-samples is not offered either): the store takes its sample size when created.
        new() { Name = "maxmemory-samples", Get = s => Invariant(s.Options.MaxMemorySamples) },
        new()
        {
            Name = "proto-max-bulk-len",
            Get = s => Invariant(s.Settings.MaxBulkBytes),
            Validate = v => !MemorySize.TryParse(v.AsSpan(), out long bytes)
                ? "argument must be a memory value"
                : bytes < CacheServerOptions.MinMaxBulkBytes
                    ? $"argument must be between {CacheServerOptions.MinMaxBulkBytes} and {long.MaxValue} inclusive"
                    : null,
            Apply = (s, v) => s.Settings.MaxBulkBytes = ParseMemory(v),
        },
        new()
        {
            Name = "maxclients",
            Get = s => Invariant(s.Settings.MaxClients),
            Validate = v => ValidateInteger(v, 1, int.MaxValue),
            Apply = (s, v) => s.Settings.MaxClients = int.Parse(v, CultureInfo.InvariantCulture),
        },
        new()
        {
            Name = "requirepass",
            Get = s => s.Settings.RequirePass ?? "",
            Validate = _ => null,
            Apply = (s, v) => s.Settings.RequirePass = v,
        },
        // Fixed at start (--no-compaction): the store's automatic compaction, Redis's active defragmentation.
        new() { Name = "activedefrag", Get = s => s.Options.AutomaticCompaction ? "yes" : "no" },
        new() { Name = "port", Get = s => Invariant(s.Port) },
        new() { Name = "bind", Get = s => s.Options.BindAddress.ToString() },
        new() { Name = "databases", Get = _ => "1" },
        new() { Name = "save", Get = _ => "" },
        new() { Name = "appendonly", Get = _ => "no" },
        new() { Name = "timeout", Get = _ => "0" },
        new() { Name = "replica-read-only", Get = _ => "yes" },
        new() { Name = "slave-read-only", Get = _ => "yes" },
        new() { Name = "cluster-enabled", Get = _ => "no" },
    ];

    /// <summary>CONFIG GET pattern [pattern …]: name/value pairs, each parameter once, patterns matched without case.</summary>
    public static void Get(ClientConnection client, CommandArguments args)
    {
        var matched = new List<ConfigParameter>();
        for (int i = 2; i < args.Count; i++)
        {
            ReadOnlySpan<byte> pattern = args.Span(i);
            foreach (ConfigParameter parameter in s_parameters)
            {
                if (!matched.Contains(parameter) && GlobPattern.IsMatch(pattern, Encoding.ASCII.GetBytes(parameter.Name), ignoreCase: true))
                {
                    matched.Add(parameter);
                }
            }
        }

        client.Reply.WriteArrayHeader(matched.Count * 2);
        foreach (ConfigParameter parameter in matched)
        {
            client.Reply.WriteBulkString(parameter.Name);
            client.Reply.WriteBulk(Encoding.UTF8.GetBytes(parameter.Get(client.Server)));
        }
    }

    /// <summary>CONFIG SET name value [name value …]: all validated first, then all applied.</summary>
    public static void Set(ClientConnection client, CommandArguments args)
    {
        if ((args.Count - 2) % 2 != 0)
        {
            client.Reply.WriteError(ErrorReplies.Syntax);
            return;
        }

        var changes = new List<(ConfigParameter Parameter, string Value)>();
        for (int i = 2; i < args.Count; i += 2)
        {
            string name = ErrorReplies.Latin1(args.Span(i));
            ConfigParameter? parameter = Array.Find(s_parameters, p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (parameter is null)
            {
                client.Reply.WriteError($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
                return;
            }

            string? problem = changes.Exists(c => c.Parameter == parameter) ? "duplicate parameter"
                : !parameter.IsMutable ? "can't set immutable config"
                : parameter.Validate!(Encoding.UTF8.GetString(args.Span(i + 1)));
            if (problem is not null)
            {
                client.Reply.WriteError($"ERR CONFIG SET failed (possibly related to argument '{parameter.Name}') - {problem}");
                return;
            }

            changes.Add((parameter, Encoding.UTF8.GetString(args.Span(i + 1))));
        }

        foreach ((ConfigParameter parameter, string value) in changes)
        {
            parameter.Apply!(client.Server, value);
        }

        client.Server.Log($"CONFIG SET by client id={client.Id}: {string.Join(", ", changes.Select(c => c.Parameter.Name))}");
        client.Reply.WriteOk();
    }

    public static void ResetStat(ClientConnection client, CommandArguments args)
    {
        client.Server.Stats.Reset(client.Server.Store.GetStatistics());
        foreach (ClientConnection other in client.Server.Clients.Clients)
        {
            other.RequestCounterReset();
        }

        client.Reply.WriteOk();
    }

    public static void Help(ClientConnection client, CommandArguments args) => HelpText.Write(client.Reply, "CONFIG",
    [
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
    ]);

    private static string? ValidateInteger(string value, long min, long max)
    {
        if (!RespNumber.TryParse(Encoding.ASCII.GetBytes(value), out long number))
        {
            return "argument couldn't be parsed into an integer";
        }

        return number < min || number > max ? $"argument must be between {min} and {max} inclusive" : null;
    }

    /// <summary>A value <see cref="ConfigParameter.Validate"/> has accepted.</summary>
    private static long ParseMemory(string value) =>
        MemorySize.TryParse(value.AsSpan(), out long bytes) ? bytes : throw new UnreachableException();

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
