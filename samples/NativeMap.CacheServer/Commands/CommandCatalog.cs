using System.Collections.Frozen;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// Every command the server implements, with Redis 7's arity, flags, key positions and documentation. Strings only:
/// there are no other types, so <c>WRONGTYPE</c> never arises.
/// </summary>
internal static class CommandCatalog
{
    private const CommandFlags Connection = CommandFlags.Fast | CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags Read = CommandFlags.ReadOnly;
    private const CommandFlags Write = CommandFlags.Write;

    public static CommandTable Create()
    {
        List<CommandInfo> commands =
        [
            // connection
            Command("ping", -1, Connection, "connection", "1.0.0", "O(1)", "Returns the server's liveliness response.", ConnectionCommands.Ping),
            Command("echo", 2, Connection, "connection", "1.0.0", "O(1)", "Returns the given string.", ConnectionCommands.Echo),
            Command("hello", -1, Connection | CommandFlags.NoAuth, "connection", "6.0.0", "O(1)",
                "Handshakes with the server (RESP2 only).", ConnectionCommands.Hello),
            Command("auth", -2, Connection | CommandFlags.NoAuth, "connection", "1.0.0", "O(N) where N is the number of passwords defined for the user",
                "Authenticates the connection.", ConnectionCommands.Auth),
            Command("select", 2, Connection, "connection", "1.0.0", "O(1)", "Changes the selected database (only 0 exists).", ConnectionCommands.Select),
            Command("quit", -1, Connection | CommandFlags.NoAuth, "connection", "1.0.0", "O(1)", "Closes the connection.", ConnectionCommands.Quit),
            Container("client", "connection", "2.4.0", "A container for client connection commands.",
            [
                Command("id", 2, Connection, "connection", "5.0.0", "O(1)", "Returns the unique client ID of the connection.", ClientCommands.Id),
                Command("getname", 2, Connection, "connection", "2.6.9", "O(1)", "Returns the name of the connection.", ClientCommands.GetName),
                Command("setname", 3, Connection, "connection", "2.6.9", "O(1)", "Sets the connection name.", ClientCommands.SetName),
                Command("list", -2, CommandFlags.Admin | CommandFlags.Loading | CommandFlags.Stale, "connection", "2.4.0",
                    "O(N) where N is the number of client connections", "Lists open connections.", ClientCommands.List),
                Command("info", 2, Connection, "connection", "6.2.0", "O(1)", "Returns information about the connection.", ClientCommands.Info),
                Command("help", 2, CommandFlags.Loading | CommandFlags.Stale, "connection", "5.0.0", "O(1)", "Returns helpful text about the different subcommands.", ClientCommands.Help),
            ]),

            // strings
            Command("get", 2, Read | CommandFlags.Fast, "string", "1.0.0", "O(1)", "Returns the string value of a key.", StringCommands.Get, 1, 1, 1),
            Command("set", -3, Write | CommandFlags.DenyOom, "string", "1.0.0", "O(1)",
                "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", StringCommands.Set, 1, 1, 1),
            Command("setnx", 3, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "1.0.0", "O(1)",
                "Set the string value of a key only when the key doesn't exist.", StringCommands.SetNx, 1, 1, 1),
            Command("setex", 4, Write | CommandFlags.DenyOom, "string", "2.0.0", "O(1)",
                "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", StringCommands.SetEx, 1, 1, 1),
            Command("psetex", 4, Write | CommandFlags.DenyOom, "string", "2.6.0", "O(1)",
                "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", StringCommands.SetEx, 1, 1, 1),
            Command("getdel", 2, Write | CommandFlags.Fast, "string", "6.2.0", "O(1)", "Returns the string value of a key after deleting the key.",
                StringCommands.GetDel, 1, 1, 1),
            Command("mget", -2, Read | CommandFlags.Fast, "string", "1.0.0", "O(N) where N is the number of keys to retrieve.",
                "Atomically returns the string values of one or more keys.", StringCommands.MGet, 1, -1, 1),
            Command("mset", -3, Write | CommandFlags.DenyOom, "string", "1.0.1", "O(N) where N is the number of keys to set.",
                "Atomically creates or modifies the string values of one or more keys.", StringCommands.MSet, 1, -1, 2),
            Command("msetnx", -3, Write | CommandFlags.DenyOom, "string", "1.0.1", "O(N) where N is the number of keys to set.",
                "Atomically modifies the string values of one or more keys only when all keys don't exist.", StringCommands.MSet, 1, -1, 2),
            Command("append", 3, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "2.0.0", "O(1)",
                "Appends a string to the value of a key. Creates the key if it doesn't exist.", StringCommands.Append, 1, 1, 1),
            Command("strlen", 2, Read | CommandFlags.Fast, "string", "2.2.0", "O(1)", "Returns the length of a string value.", StringCommands.StrLen, 1, 1, 1),
            Command("incr", 2, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "1.0.0", "O(1)",
                "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", StringCommands.Incr, 1, 1, 1),
            Command("decr", 2, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "1.0.0", "O(1)",
                "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", StringCommands.Decr, 1, 1, 1),
            Command("incrby", 3, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "1.0.0", "O(1)",
                "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", StringCommands.IncrBy, 1, 1, 1),
            Command("decrby", 3, Write | CommandFlags.DenyOom | CommandFlags.Fast, "string", "1.0.0", "O(1)",
                "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", StringCommands.DecrBy, 1, 1, 1),

            // keys
            Command("del", -2, Write, "generic", "1.0.0", "O(N) where N is the number of keys that will be removed.",
                "Deletes one or more keys.", KeyCommands.Del, 1, -1, 1),
            Command("unlink", -2, Write | CommandFlags.Fast, "generic", "4.0.0", "O(1) for each key removed regardless of its size.",
                "Asynchronously deletes one or more keys.", KeyCommands.Del, 1, -1, 1),
            Command("exists", -2, Read | CommandFlags.Fast, "generic", "1.0.0", "O(N) where N is the number of keys to check.",
                "Determines whether one or more keys exist.", KeyCommands.Exists, 1, -1, 1),
            Command("expire", -3, Write | CommandFlags.Fast, "generic", "1.0.0", "O(1)", "Sets the expiration time of a key in seconds.",
                KeyCommands.Expire, 1, 1, 1),
            Command("pexpire", -3, Write | CommandFlags.Fast, "generic", "2.6.0", "O(1)", "Sets the expiration time of a key in milliseconds.",
                KeyCommands.PExpire, 1, 1, 1),
            Command("ttl", 2, Read | CommandFlags.Fast, "generic", "1.0.0", "O(1)", "Returns the expiration time in seconds of a key.",
                KeyCommands.Ttl, 1, 1, 1),
            Command("pttl", 2, Read | CommandFlags.Fast, "generic", "2.6.0", "O(1)", "Returns the expiration time in milliseconds of a key.",
                KeyCommands.PTtl, 1, 1, 1),
            Command("persist", 2, Write | CommandFlags.Fast, "generic", "2.2.0", "O(1)", "Removes the expiration time of a key.",
                KeyCommands.Persist, 1, 1, 1),
            Command("keys", 2, Read, "generic", "1.0.0", "O(N) with N being the number of keys in the database",
                "Returns all key names that match a pattern.", KeyCommands.Keys),
            Command("scan", -2, Read, "generic", "2.8.0", "O(1) for every call. O(N) for a complete iteration.",
                "Iterates over the key names in the database.", KeyCommands.Scan),
            Command("dbsize", 1, Read | CommandFlags.Fast, "server", "1.0.0", "O(1)", "Returns the number of keys in the database.", KeyCommands.DbSize),
            Command("flushall", -1, Write, "server", "1.0.0", "O(N) where N is the total number of keys in all databases",
                "Removes all keys from all databases.", KeyCommands.FlushAll),
            Command("flushdb", -1, Write, "server", "1.0.0", "O(N) where N is the number of keys in the selected database",
                "Remove all keys from the current database.", KeyCommands.FlushAll),
            Container("memory", "server", "4.0.0", "A container for memory diagnostics commands.",
            [
                Command("usage", -3, Read, "server", "4.0.0", "O(N) where N is the number of samples.",
                    "Estimates the memory usage of a key.", MemoryCommands.Usage, 2, 2, 1),
                Command("stats", 2, CommandFlags.None, "server", "4.0.0", "O(1)", "Returns details about memory usage.", MemoryCommands.Stats),
                Command("purge", 2, CommandFlags.None, "server", "4.0.0", "Depends on how much memory is allocated, could be slow",
                    "Asks the allocator to release memory.", MemoryCommands.Purge),
                Command("doctor", 2, CommandFlags.None, "server", "4.0.0", "O(1)", "Outputs a memory problems report.", MemoryCommands.Doctor),
                Command("help", 2, CommandFlags.Loading | CommandFlags.Stale, "server", "4.0.0", "O(1)",
                    "Returns helpful text about the different subcommands.", MemoryCommands.Help),
            ]),

            // server
            Container("command", "server", "2.8.13", "Returns detailed information about all commands.",
            [
                Command("count", 2, CommandFlags.Loading | CommandFlags.Stale, "server", "2.8.13", "O(1)", "Returns a count of commands.", CommandCommands.Count),
                Command("docs", -2, CommandFlags.Loading | CommandFlags.Stale, "server", "7.0.0", "O(N) where N is the number of commands to look up",
                    "Returns documentary information about one, multiple or all commands.", CommandCommands.Docs),
                Command("info", -2, CommandFlags.Loading | CommandFlags.Stale, "server", "2.8.13", "O(N) where N is the number of commands to look up",
                    "Returns information about one, multiple or all commands.", CommandCommands.Info),
                Command("list", -2, CommandFlags.Loading | CommandFlags.Stale, "server", "7.0.0", "O(N) where N is the total number of Redis commands",
                    "Returns a list of command names.", CommandCommands.List),
                Command("help", 2, CommandFlags.Loading | CommandFlags.Stale, "server", "5.0.0", "O(1)", "Returns helpful text about the different subcommands.", CommandCommands.Help),
            ], handler: CommandCommands.All, arity: -1),
            Container("config", "server", "2.0.0", "A container for server configuration commands.",
            [
                Command("get", -3, CommandFlags.Admin | CommandFlags.Loading | CommandFlags.Stale, "server", "2.0.0", "O(N) when N is the number of configuration parameters provided",
                    "Returns the effective values of configuration parameters.", ConfigCommands.Get),
                Command("set", -4, CommandFlags.Admin | CommandFlags.Loading | CommandFlags.Stale, "server", "2.0.0", "O(N) when N is the number of configuration parameters provided",
                    "Sets configuration parameters in-flight.", ConfigCommands.Set),
                Command("resetstat", 2, CommandFlags.Admin | CommandFlags.Loading | CommandFlags.Stale, "server", "2.0.0", "O(1)",
                    "Resets the server's statistics.", ConfigCommands.ResetStat),
                Command("help", 2, CommandFlags.Loading | CommandFlags.Stale, "server", "5.0.0", "O(1)", "Returns helpful text about the different subcommands.", ConfigCommands.Help),
            ]),
            Command("info", -1, CommandFlags.Loading | CommandFlags.Stale, "server", "1.0.0", "O(1)",
                "Returns information and statistics about the server.", InfoCommand.Run),
        ];

        return new CommandTable(commands);
    }

    private static CommandInfo Command(string name, int arity, CommandFlags flags, string group, string since, string complexity,
        string summary, CommandHandler handler, int firstKey = 0, int lastKey = 0, int keyStep = 0) => new()
        {
            Name = name,
            FullName = name,
            Arity = arity,
            Flags = flags,
            Group = group,
            Since = since,
            Complexity = complexity,
            Summary = summary,
            Handler = handler,
            FirstKey = firstKey,
            LastKey = lastKey,
            KeyStep = keyStep,
        };

    /// <summary>A container (CONFIG, CLIENT…); <paramref name="handler"/> runs when it is called alone (COMMAND).</summary>
    private static CommandInfo Container(string name, string group, string since, string summary, CommandInfo[] subcommands,
        CommandHandler? handler = null, int arity = -2)
    {
        var container = new CommandInfo
        {
            Name = name,
            FullName = name,
            Arity = arity,
            Flags = CommandFlags.None,
            Group = group,
            Since = since,
            Complexity = "Depends on subcommand.",
            Summary = summary,
            Handler = handler,
        };
        container.Subcommands = subcommands
            .Select(s => new CommandInfo
            {
                Name = s.Name,
                FullName = $"{name}|{s.Name}",
                Arity = s.Arity,
                Flags = s.Flags,
                Group = s.Group,
                Since = s.Since,
                Complexity = s.Complexity,
                Summary = s.Summary,
                Handler = s.Handler,
                FirstKey = s.FirstKey,
                LastKey = s.LastKey,
                KeyStep = s.KeyStep,
            })
            .ToFrozenDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        return container;
    }
}
