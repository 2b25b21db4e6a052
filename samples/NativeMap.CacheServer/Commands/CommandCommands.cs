using System.Text;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;
using NativeMap.CacheServer.Text;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / HELP, in Redis 7's RESP2 shapes: enough for redis-cli's hints and
/// for clients that read the command table. Documentation carries summary, since, group and complexity (no argument
/// trees: redis-cli then shows a command's name without its parameters).
/// </summary>
internal static class CommandCommands
{
    /// <summary>COMMAND alone: the info of every command.</summary>
    public static void All(ClientConnection client, CommandArguments args)
    {
        IReadOnlyList<CommandInfo> all = client.Server.Commands.All;
        client.Reply.WriteArrayHeader(all.Count);
        foreach (CommandInfo command in all)
        {
            WriteInfo(client.Reply, command);
        }
    }

    public static void Count(ClientConnection client, CommandArguments args) => client.Reply.WriteInteger(client.Server.Commands.Count);

    public static void Info(ClientConnection client, CommandArguments args)
    {
        if (args.Count == 2)
        {
            All(client, args);
            return;
        }

        client.Reply.WriteArrayHeader(args.Count - 2);
        for (int i = 2; i < args.Count; i++)
        {
            CommandInfo? command = Lookup(client.Server.Commands, args.Span(i));
            if (command is null)
            {
                client.Reply.WriteNullArray();
            }
            else
            {
                WriteInfo(client.Reply, command);
            }
        }
    }

    public static void Docs(ClientConnection client, CommandArguments args)
    {
        var found = new List<CommandInfo>();
        if (args.Count == 2)
        {
            found.AddRange(client.Server.Commands.All);
        }
        else
        {
            for (int i = 2; i < args.Count; i++)
            {
                CommandInfo? command = Lookup(client.Server.Commands, args.Span(i));
                if (command is not null)
                {
                    found.Add(command);
                }
            }
        }

        client.Reply.WriteArrayHeader(found.Count * 2);
        foreach (CommandInfo command in found)
        {
            client.Reply.WriteBulkString(command.FullName);
            WriteDocs(client.Reply, command);
        }
    }

    /// <summary>COMMAND LIST [FILTERBY PATTERN p | ACLCAT c | MODULE m].</summary>
    public static void List(ClientConnection client, CommandArguments args)
    {
        Func<CommandInfo, bool> filter = static _ => true;
        if (args.Count == 5 && args.Is(2, "filterby"u8))
        {
            byte[] value = args.Span(4).ToArray();
            if (args.Is(3, "pattern"u8))
            {
                filter = c => GlobPattern.IsMatch(value, Encoding.ASCII.GetBytes(c.FullName), ignoreCase: true);
            }
            else if (args.Is(3, "aclcat"u8))
            {
                string category = "@" + Encoding.ASCII.GetString(value);
                filter = c => c.AclCategories().Contains(category, StringComparer.OrdinalIgnoreCase);
            }
            else if (args.Is(3, "module"u8))
            {
                filter = static _ => false;
            }
            else
            {
                client.Reply.WriteError(ErrorReplies.Syntax);
                return;
            }
        }
        else if (args.Count != 2)
        {
            client.Reply.WriteError(ErrorReplies.Syntax);
            return;
        }

        var names = new List<string>();
        foreach (CommandInfo command in client.Server.Commands.All)
        {
            if (filter(command))
            {
                names.Add(command.Name);
            }

            if (command.Subcommands is not null)
            {
                names.AddRange(command.Subcommands.Values.Where(filter).Select(s => s.FullName));
            }
        }

        client.Reply.WriteArrayHeader(names.Count);
        foreach (string name in names)
        {
            client.Reply.WriteBulkString(name);
        }
    }

    public static void Help(ClientConnection client, CommandArguments args) => HelpText.Write(client.Reply, "COMMAND",
    [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
    ]);

    /// <summary>A command by name, or a subcommand by "container|sub" as Redis accepts in COMMAND INFO/DOCS.</summary>
    private static CommandInfo? Lookup(CommandTable table, ReadOnlySpan<byte> name)
    {
        int bar = name.IndexOf((byte)'|');
        if (bar < 0)
        {
            return table.Find(name);
        }

        CommandInfo? container = table.Find(name[..bar]);
        string sub = Encoding.ASCII.GetString(name[(bar + 1)..]);
        return container?.Subcommands is { } subcommands && subcommands.TryGetValue(sub, out CommandInfo? found) ? found : null;
    }

    private static void WriteInfo(ReplyWriter reply, CommandInfo command)
    {
        reply.WriteArrayHeader(10);
        reply.WriteBulkString(command.FullName);
        reply.WriteInteger(command.Arity);
        WriteStatusArray(reply, [.. command.FlagNames()]);
        reply.WriteInteger(command.FirstKey);
        reply.WriteInteger(command.LastKey);
        reply.WriteInteger(command.KeyStep);
        WriteStatusArray(reply, [.. command.AclCategories()]);
        reply.WriteArrayHeader(0); // tips
        WriteKeySpecs(reply, command);
        if (command.Subcommands is null)
        {
            reply.WriteArrayHeader(0);
        }
        else
        {
            reply.WriteArrayHeader(command.Subcommands.Count);
            foreach (CommandInfo subcommand in command.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                WriteInfo(reply, subcommand);
            }
        }
    }

    /// <summary>One key spec in Redis 7's form: begin_search by index, find_keys by range (last key relative to the first).</summary>
    private static void WriteKeySpecs(ReplyWriter reply, CommandInfo command)
    {
        if (command.FirstKey == 0)
        {
            reply.WriteArrayHeader(0);
            return;
        }

        reply.WriteArrayHeader(1);
        reply.WriteArrayHeader(6);
        reply.WriteBulk("flags"u8);
        WriteStatusArray(reply, [(command.Flags & CommandFlags.Write) != 0 ? "RW" : "RO"]);
        reply.WriteBulk("begin_search"u8);
        WriteSearchSpec(reply, "index"u8, [("index", command.FirstKey)]);
        reply.WriteBulk("find_keys"u8);
        WriteSearchSpec(reply, "range"u8,
            [("lastkey", command.LastKey < 0 ? -1 : command.LastKey - command.FirstKey), ("keystep", command.KeyStep), ("limit", 0)]);
    }

    /// <summary><c>type &lt;type&gt; spec [name value …]</c>, the shape of begin_search and find_keys.</summary>
    private static void WriteSearchSpec(ReplyWriter reply, ReadOnlySpan<byte> type, (string Name, long Value)[] spec)
    {
        reply.WriteArrayHeader(4);
        reply.WriteBulk("type"u8);
        reply.WriteBulk(type);
        reply.WriteBulk("spec"u8);
        reply.WriteArrayHeader(spec.Length * 2);
        foreach ((string name, long value) in spec)
        {
            reply.WriteBulkString(name);
            reply.WriteInteger(value);
        }
    }

    private static void WriteDocs(ReplyWriter reply, CommandInfo command)
    {
        reply.WriteArrayHeader(command.Subcommands is null ? 8 : 10);
        reply.WriteBulk("summary"u8);
        reply.WriteBulkString(command.Summary);
        reply.WriteBulk("since"u8);
        reply.WriteBulkString(command.Since);
        reply.WriteBulk("group"u8);
        reply.WriteBulkString(command.Group);
        reply.WriteBulk("complexity"u8);
        reply.WriteBulkString(command.Complexity);
        if (command.Subcommands is not null)
        {
            reply.WriteBulk("subcommands"u8);
            reply.WriteArrayHeader(command.Subcommands.Count * 2);
            foreach (CommandInfo subcommand in command.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                reply.WriteBulkString(subcommand.FullName);
                WriteDocs(reply, subcommand);
            }
        }
    }

    private static void WriteStatusArray(ReplyWriter reply, string[] items)
    {
        reply.WriteArrayHeader(items.Length);
        foreach (string item in items)
        {
            reply.WriteSimpleString(Encoding.ASCII.GetBytes(item));
        }
    }
}
