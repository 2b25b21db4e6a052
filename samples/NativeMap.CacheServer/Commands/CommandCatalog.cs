using System.Collections.Frozen;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// Every command the server implements, with Redis 7's arity, flags, key positions and documentation. Strings only:
/// there are no other types, so <c>WRONGTYPE</c> never arises.
/// </summary>
internal static class CommandCatalog
{
    private const CommandFlags Connection = CommandFlags.Fast | CommandFlags.Loading | CommandFlags.Stale;

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
