using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NativeMap.Allocator;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// INFO [section …]: Redis's text layout (<c># Section</c>, <c>field:value</c> lines, CRLF, a blank line between
/// sections). Sections: server, clients, memory, stats, keyspace; <c>default</c> and <c>all</c>/<c>everything</c> give
/// them all. Fields Redis has and this server has no counterpart for are left out rather than faked.
/// </summary>
internal static class InfoCommand
{
    private static readonly string[] s_sections = ["server", "clients", "memory", "stats", "keyspace"];

    public static void Run(ClientConnection client, CommandArguments args)
    {
        var wanted = new List<string>();
        for (int i = 1; i < args.Count; i++)
        {
            string name = ErrorReplies.Latin1(args.Span(i)).ToLowerInvariant();
            if (name is "all" or "everything" or "default")
            {
                wanted = [.. s_sections];
                break;
            }

            if (s_sections.Contains(name) && !wanted.Contains(name))
            {
                wanted.Add(name);
            }
        }

        if (args.Count == 1)
        {
            wanted = [.. s_sections];
        }

        var text = new StringBuilder();
        foreach (string section in s_sections.Where(wanted.Contains))
        {
            if (text.Length > 0)
            {
                text.Append("\r\n");
            }

            switch (section)
            {
                case "server":
                    Server(text, client.Server);
                    break;
                case "clients":
                    Clients(text, client.Server);
                    break;
                case "memory":
                    Memory(text, client.Server);
                    break;
                case "stats":
                    Stats(text, client.Server);
                    break;
                case "keyspace":
                    Keyspace(text, client.Server);
                    break;
            }
        }

        client.Reply.WriteBulk(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void Server(StringBuilder text, ServerContext server)
    {
        DateTimeOffset now = server.Time.GetUtcNow();
        long uptime = (long)(now - server.StartedAt).TotalSeconds;
        Header(text, "Server");
        Field(text, "redis_version", ConnectionCommands.RedisVersion);
        Field(text, "server_name", "NativeMap.CacheServer");
        Field(text, "server_version", typeof(InfoCommand).Assembly.GetName().Version?.ToString() ?? "0");
        Field(text, "redis_mode", "standalone");
        Field(text, "os", $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}");
        Field(text, "arch_bits", IntPtr.Size * 8);
        Field(text, "runtime", RuntimeInformation.FrameworkDescription);
        Field(text, "multiplexing_api", "dotnet-sockets");
        Field(text, "process_id", Environment.ProcessId);
        Field(text, "run_id", server.RunId);
        Field(text, "tcp_port", server.Port);
        Field(text, "server_time_usec", now.ToUnixTimeMilliseconds() * 1000);
        Field(text, "uptime_in_seconds", uptime);
        Field(text, "uptime_in_days", uptime / 86400);
        Field(text, "executable", Environment.ProcessPath ?? "");
        Field(text, "config_file", "");
    }

    private static void Clients(StringBuilder text, ServerContext server)
    {
        Header(text, "Clients");
        Field(text, "connected_clients", server.Clients.Count);
        Field(text, "cluster_connections", 0);
        Field(text, "maxclients", server.Settings.MaxClients);
        Field(text, "blocked_clients", 0);
        Field(text, "tracking_clients", 0);
    }

    private static void Memory(StringBuilder text, ServerContext server)
    {
        HeapStats heap = server.Heap.GetStats();
        StoreStatistics store = server.Store.GetStatistics();
        long rss = ProcessMemory.GetResidentBytes();
        long used = store.UsedBytes;
        long maxMemory = server.Settings.MaxMemory;
        Header(text, "Memory");
        Field(text, "used_memory", used);
        Field(text, "used_memory_human", Human(used));
        Field(text, "used_memory_rss", rss);
        Field(text, "used_memory_rss_human", Human(rss));
        Field(text, "used_memory_peak", server.PeakUsedBytes);
        Field(text, "used_memory_peak_human", Human(server.PeakUsedBytes));
        Field(text, "used_memory_dataset", store.KeyBytes + store.ValueBytes);
        Field(text, "maxmemory", maxMemory);
        Field(text, "maxmemory_human", Human(maxMemory));
        Field(text, "maxmemory_policy", EvictionPolicyNames.ToName(server.Settings.Policy));
        (long overhead, long storeLimit) = server.Memory.Snapshot();
        Field(text, "maxmemory_store", storeLimit);
        Field(text, "process_overhead", overhead);
        Field(text, "mem_fragmentation_ratio", used == 0 ? "0.00" : ((double)rss / used).ToString("F2", CultureInfo.InvariantCulture));
        Field(text, "mem_allocator", "nativemap-spanheap");
        Field(text, "heap_reserved", heap.ReservedBytes);
        Field(text, "heap_in_use", heap.InUseBytes);
        Field(text, "heap_idle", heap.IdleBytes);
        Field(text, "heap_released", heap.ReleasedBytes);
        Field(text, "heap_allocated", heap.AllocatedBytes);
        Field(text, "heap_metadata", heap.MetadataBytes);
        Field(text, "heap_small_span", heap.SmallSpanBytes);
        Field(text, "heap_small_used", heap.SmallUsedBytes);
        Field(text, "active_defrag_enabled", server.Options.AutomaticCompaction ? 1 : 0);
        Field(text, "heap_released_by_decay", heap.ReleasedByDecayBytes);
        Field(text, "heap_released_by_force", heap.ReleasedByForceBytes);
        Field(text, "heap_decay_seconds", (long)server.Options.ScavengeDecay.TotalSeconds);
        Field(text, "managed_heap", GC.GetTotalMemory(forceFullCollection: false));
        Field(text, "managed_committed", GC.GetGCMemoryInfo().TotalCommittedBytes);
        Field(text, "managed_allocated_total", GC.GetTotalAllocatedBytes(precise: false));
    }

    private static void Stats(StringBuilder text, ServerContext server)
    {
        ConnectionCounters totals = server.Clients.Totals();
        StoreStatistics store = server.Store.GetStatistics();
        StoreStatistics zero = server.Stats.StoreBaseline;
        Header(text, "Stats");
        Field(text, "total_connections_received", server.Stats.ConnectionsReceived);
        Field(text, "total_commands_processed", totals.CommandsProcessed);
        Field(text, "total_net_input_bytes", totals.NetInputBytes);
        Field(text, "total_net_output_bytes", totals.NetOutputBytes);
        Field(text, "rejected_connections", server.Stats.RejectedConnections);
        Field(text, "expired_keys", store.Expired - zero.Expired);
        Field(text, "evicted_keys", store.Evicted - zero.Evicted);
        Field(text, "keyspace_hits", store.Hits - zero.Hits);
        Field(text, "keyspace_misses", store.Misses - zero.Misses);
        Field(text, "total_error_replies", totals.ErrorReplies);
    }

    private static void Keyspace(StringBuilder text, ServerContext server)
    {
        Header(text, "Keyspace");
        StoreStatistics store = server.Store.GetStatistics();
        if (store.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"db0:keys={store.Count},expires={store.VolatileCount},avg_ttl=0\r\n");
        }
    }

    private static void Header(StringBuilder text, string name) => text.Append("# ").Append(name).Append("\r\n");

    private static void Field(StringBuilder text, string name, string value) => text.Append(name).Append(':').Append(value).Append("\r\n");

    private static void Field(StringBuilder text, string name, long value) =>
        Field(text, name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Redis's <c>bytesToHuman</c>: B, K, M, G, T with two decimals.</summary>
    internal static string Human(long bytes)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        double d = bytes;
        return bytes switch
        {
            < 1024 => $"{bytes}B",
            < 1024L * 1024 => (d / 1024).ToString("F2", c) + "K",
            < 1024L * 1024 * 1024 => (d / (1024 * 1024)).ToString("F2", c) + "M",
            < 1024L * 1024 * 1024 * 1024 => (d / (1024 * 1024 * 1024)).ToString("F2", c) + "G",
            _ => (d / (1024.0 * 1024 * 1024 * 1024)).ToString("F2", c) + "T",
        };
    }
}
