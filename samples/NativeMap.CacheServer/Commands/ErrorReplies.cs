using System.Text;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// Error texts exactly as Redis 7 writes them (checked against redis-server 7.0.15), without the leading <c>-</c>.
/// Client bytes quoted in a message are carried as Latin-1 characters, which <see cref="ReplyWriter.WriteError"/>
/// writes back as the same bytes.
/// </summary>
internal static class ErrorReplies
{
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string AuthNotConfigured =
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public const string HelloNoAuth =
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
    public const string NoProto = "NOPROTO unsupported protocol version";
    public const string ProtocolVersionNotInteger = "ERR Protocol version is not an integer or out of range";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string Syntax = "ERR syntax error";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string BadClientName = "ERR Client names cannot contain spaces, newlines or special characters.";
    public const string MaxClients = "ERR max number of clients reached";
    public const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";

    /// <summary>Longest client text Redis quotes in these messages (<c>%.128s</c>).</summary>
    private const int QuoteLimit = 128;

    /// <summary><c>unknown command 'name', with args beginning with: 'a' 'b' </c>: up to 128 characters of arguments.</summary>
    public static string UnknownCommand(CommandArguments args)
    {
        var text = new StringBuilder("ERR unknown command '");
        AppendLatin1(text, args.Span(0), QuoteLimit);
        text.Append("', with args beginning with: ");
        int argsStart = text.Length;
        for (int i = 1; i < args.Count && text.Length - argsStart < QuoteLimit; i++)
        {
            text.Append('\'');
            AppendLatin1(text, args.Span(i), QuoteLimit - (text.Length - argsStart - 1));
            text.Append("' ");
        }

        return text.ToString();
    }

    /// <summary><c>unknown subcommand 'x'. Try CONFIG HELP.</c></summary>
    public static string UnknownSubcommand(CommandArguments args)
    {
        var text = new StringBuilder("ERR unknown subcommand '");
        AppendLatin1(text, args.Span(1), QuoteLimit);
        text.Append("'. Try ");
        AppendLatin1(text, args.Span(0), int.MaxValue, upper: true);
        text.Append(" HELP.");
        return text.ToString();
    }

    /// <summary><c>wrong number of arguments for 'config|get' command</c>.</summary>
    public static string WrongArity(CommandInfo command) => $"ERR wrong number of arguments for '{command.FullName}' command";

    /// <summary>Bytes as Latin-1 characters, stopping at a NUL (Redis's <c>%s</c> stops there) or after <paramref name="limit"/>.</summary>
    public static void AppendLatin1(StringBuilder text, ReadOnlySpan<byte> bytes, int limit, bool upper = false)
    {
        for (int i = 0; i < bytes.Length && i < limit; i++)
        {
            byte b = bytes[i];
            if (b == 0)
            {
                break;
            }

            text.Append(upper && b is >= (byte)'a' and <= (byte)'z' ? (char)(b - 32) : (char)b);
        }
    }

    /// <summary>Bytes as a Latin-1 string (client names, CONFIG values quoted in errors).</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
