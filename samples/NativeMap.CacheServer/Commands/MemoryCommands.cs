using NativeMap.Allocator;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>MEMORY USAGE, STATS, PURGE, DOCTOR, HELP: Redis's memory introspection, answered from the store's counters
/// and its heap's statistics (the store has a <see cref="SpanHeap"/> of its own, so they are the store's alone).</summary>
internal static class MemoryCommands
{
    /// <summary>MEMORY USAGE key [SAMPLES n]: the entry's block (size-class rounding included) and its bucket slot.</summary>
    public static void Usage(ClientConnection client, CommandArguments args)
    {
        if (args.Count == 5 && args.Is(3, "samples"u8))
        {
            if (!args.TryGetInt64(4, out long samples) || samples < 0)
            {
                client.Reply.WriteError(ErrorReplies.NotInteger);
                return;
            }
        }
        else if (args.Count != 3)
        {
            client.Reply.WriteError(ErrorReplies.Syntax);
            return;
        }

        if (client.Server.Store.TryGetMemoryUsage(args.Span(2), out long bytes))
        {
            client.Reply.WriteInteger(bytes);
        }
        else
        {
            client.Reply.WriteNullBulk();
        }
    }

    /// <summary>MEMORY PURGE: every free page of the store's heap back to the OS now (<see cref="SpanHeap.FreeOSMemory"/>).</summary>
    public static void Purge(ClientConnection client, CommandArguments args)
    {
        long released = client.Server.Heap.FreeOSMemory();
        client.Server.Log($"MEMORY PURGE by client id={client.Id}: {released:N0} bytes released");
        client.Reply.WriteOk();
    }

    /// <summary>MEMORY STATS: Redis's layout (name/value pairs); Redis's fields where this server has the figure, and
    /// the heap's own.</summary>
    public static void Stats(ClientConnection client, CommandArguments args)
    {
        ServerContext server = client.Server;
        StoreStatistics store = server.Store.GetStatistics();
        HeapStats heap = server.Heap.GetStats();
        long rss = ProcessMemory.GetResidentBytes();
        long dataset = store.KeyBytes + store.ValueBytes;
        (string Name, long Value)[] integers =
        [
            ("peak.allocated", server.PeakUsedBytes),
            ("total.allocated", store.UsedBytes),
            ("keys.count", store.Count),
            ("keys.bytes-per-key", store.Count == 0 ? 0 : store.UsedBytes / store.Count),
            ("dataset.bytes", dataset),
            ("heap.reserved", heap.ReservedBytes),
            ("heap.in-use", heap.InUseBytes),
            ("heap.idle", heap.IdleBytes),
            ("heap.released", heap.ReleasedBytes),
            ("heap.metadata", heap.MetadataBytes),
            ("managed.heap", GC.GetTotalMemory(forceFullCollection: false)),
            ("rss", rss),
        ];
        ReplyWriter reply = client.Reply;
        reply.WriteArrayHeader((integers.Length + 2) * 2);
        foreach ((string name, long value) in integers)
        {
            reply.WriteBulkString(name);
            reply.WriteInteger(value);
        }

        reply.WriteBulkString("dataset.percentage");
        reply.WriteBulkString(Percent(dataset, store.UsedBytes));
        reply.WriteBulkString("fragmentation");
        reply.WriteBulkString(store.UsedBytes == 0 ? "0" : ((double)rss / store.UsedBytes).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void Doctor(ClientConnection client, CommandArguments args)
    {
        HeapStats heap = client.Server.Heap.GetStats();
        StoreStatistics store = client.Server.Store.GetStatistics();
        string text = heap.IdleBytes > store.UsedBytes / 4 && heap.IdleBytes > 1 << 20
            ? $"Sam, {InfoCommand.Human(heap.IdleBytes)} of freed pages are still resident; the scavenger returns them after the decay " +
              $"({client.Server.Options.ScavengeDecay.TotalSeconds:F0} s), or MEMORY PURGE returns them now."
            : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
        client.Reply.WriteBulkString(text);
    }

    public static void Help(ClientConnection client, CommandArguments args) => HelpText.Write(client.Reply, "MEMORY",
    [
        "DOCTOR",
        "    Return memory problems reports.",
        "PURGE",
        "    Return every free page of the store's heap to the OS now.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value.",
    ]);

    private static string Percent(long part, long whole) =>
        whole == 0 ? "0" : (100.0 * part / whole).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
}
