using System.Collections.Frozen;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// One command or subcommand of the <see cref="CommandTable"/>: its handler and what COMMAND INFO / COMMAND DOCS report
/// about it. <see cref="Arity"/> is Redis's: positive = exactly that many arguments with the name, negative = at
/// least that many.
/// </summary>
internal sealed class CommandInfo
{
    public required string Name { get; init; }

    /// <summary>"config|get" for a subcommand (as Redis names it in errors and COMMAND INFO), else <see cref="Name"/>.</summary>
    public required string FullName { get; init; }

    public required int Arity { get; init; }

    public required CommandFlags Flags { get; init; }

    /// <summary>Index of the first key argument, 0 when the command takes no key.</summary>
    public int FirstKey { get; init; }

    /// <summary>Index of the last key argument; -1 = the last argument.</summary>
    public int LastKey { get; init; }

    /// <summary>Step between key arguments (2 for MSET's key value pairs).</summary>
    public int KeyStep { get; init; }

    /// <summary>COMMAND DOCS group: string, generic, connection, server.</summary>
    public required string Group { get; init; }

    public required string Summary { get; init; }

    /// <summary>Redis version that introduced the command, as COMMAND DOCS reports it.</summary>
    public required string Since { get; init; }

    public required string Complexity { get; init; }

    /// <summary>Null for a container (CONFIG, CLIENT…): the table looks up the subcommand instead.</summary>
    public CommandHandler? Handler { get; init; }

    /// <summary>Subcommands by lowercase name (containers only).</summary>
    public FrozenDictionary<string, CommandInfo>? Subcommands { get; set; }

    public bool IsContainer => Subcommands is not null;

    /// <summary>Whether a request of <paramref name="count"/> arguments (name included) fits <see cref="Arity"/>.</summary>
    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>ACL categories as Redis reports them, derived from the flags and group.</summary>
    public IEnumerable<string> AclCategories()
    {
        if ((Flags & CommandFlags.Write) != 0)
        {
            yield return "@write";
        }

        if ((Flags & CommandFlags.ReadOnly) != 0)
        {
            yield return "@read";
        }

        yield return Group switch
        {
            "string" => "@string",
            "generic" => "@keyspace",
            "connection" => "@connection",
            _ => "@slow",
        };

        if ((Flags & CommandFlags.Admin) != 0)
        {
            yield return "@admin";
            yield return "@dangerous";
        }

        if (Group != "server")
        {
            yield return (Flags & CommandFlags.Fast) != 0 ? "@fast" : "@slow";
        }
    }

    /// <summary>Flag names as COMMAND INFO reports them.</summary>
    public IEnumerable<string> FlagNames()
    {
        if ((Flags & CommandFlags.Write) != 0)
        {
            yield return "write";
        }

        if ((Flags & CommandFlags.ReadOnly) != 0)
        {
            yield return "readonly";
        }

        if ((Flags & CommandFlags.DenyOom) != 0)
        {
            yield return "denyoom";
        }

        if ((Flags & CommandFlags.Admin) != 0)
        {
            yield return "admin";
        }

        if ((Flags & CommandFlags.NoAuth) != 0)
        {
            yield return "no_auth";
        }

        if ((Flags & CommandFlags.Loading) != 0)
        {
            yield return "loading";
        }

        if ((Flags & CommandFlags.Stale) != 0)
        {
            yield return "stale";
        }

        if ((Flags & CommandFlags.Fast) != 0)
        {
            yield return "fast";
        }
    }
}
