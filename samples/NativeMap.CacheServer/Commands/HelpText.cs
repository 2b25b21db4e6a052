using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Commands;

/// <summary>The reply of a container's HELP subcommand, in Redis's layout (an array of status lines).</summary>
internal static class HelpText
{
    public static void Write(ReplyWriter reply, string container, string[] lines)
    {
        reply.WriteArrayHeader(lines.Length + 3);
        WriteStatus(reply, $"{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string line in lines)
        {
            WriteStatus(reply, line);
        }

        WriteStatus(reply, "HELP");
        WriteStatus(reply, "    Print this help.");
    }

    private static void WriteStatus(ReplyWriter reply, string line)
    {
        Span<byte> bytes = line.Length <= 256 ? stackalloc byte[line.Length] : new byte[line.Length];
        for (int i = 0; i < line.Length; i++)
        {
            bytes[i] = (byte)line[i];
        }

        reply.WriteSimpleString(bytes);
    }
}
