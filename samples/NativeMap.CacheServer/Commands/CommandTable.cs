using System.Collections.Frozen;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// The commands the server knows, looked up by the request's first argument (and second, for containers such as
/// CONFIG) case-insensitively without allocating: the name's bytes are widened into a stack buffer and found through
/// the frozen dictionary's <see cref="ReadOnlySpan{T}"/> lookup.
/// </summary>
internal sealed class CommandTable
{
    /// <summary>Longest command name looked up; a longer first argument is an unknown command.</summary>
    private const int MaxNameLength = 64;

    private readonly FrozenDictionary<string, CommandInfo> _commands;
    private readonly FrozenDictionary<string, CommandInfo>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CommandTable(IEnumerable<CommandInfo> commands)
    {
        _commands = commands.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        _lookup = _commands.GetAlternateLookup<ReadOnlySpan<char>>();
        All = [.. _commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every top-level command, by name.</summary>
    public IReadOnlyList<CommandInfo> All { get; }

    public int Count => _commands.Count;

    /// <summary>A top-level command by name, or null.</summary>
    public CommandInfo? Find(ReadOnlySpan<byte> name) => Find(_lookup, name);

    /// <summary>
    /// The command a request names: the top-level command, or for a container called with a subcommand the
    /// subcommand. Null when unknown; then <paramref name="container"/> is the container if only the subcommand was
    /// unknown (Redis then replies "unknown subcommand").
    /// </summary>
    public CommandInfo? Resolve(CommandArguments args, out CommandInfo? container)
    {
        container = null;
        CommandInfo? command = Find(args.Span(0));
        if (command is null || !command.IsContainer || args.Count == 1)
        {
            return command;
        }

        CommandInfo? subcommand = Find(command.Subcommands!.GetAlternateLookup<ReadOnlySpan<char>>(), args.Span(1));
        if (subcommand is null)
        {
            container = command;
        }

        return subcommand;
    }

    private static CommandInfo? Find(FrozenDictionary<string, CommandInfo>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameLength)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxNameLength];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return lookup.TryGetValue(chars[..name.Length], out CommandInfo? command) ? command : null;
    }
}
