using System.Globalization;
using System.Text;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>CLIENT ID, GETNAME, SETNAME, LIST, INFO, HELP.</summary>
internal static class ClientCommands
{
    public static void Id(ClientConnection client, CommandArguments args) => client.Reply.WriteInteger(client.Id);

    public static void GetName(ClientConnection client, CommandArguments args)
    {
        if (client.Name is null)
        {
            client.Reply.WriteNullBulk();
        }
        else
        {
            client.Reply.WriteBulkString(client.Name);
        }
    }

    public static void SetName(ClientConnection client, CommandArguments args)
    {
        ReadOnlySpan<byte> name = args.Span(2);
        if (!IsValidName(name))
        {
            client.Reply.WriteError(ErrorReplies.BadClientName);
            return;
        }

        client.Name = NameOrNull(name);
        client.Reply.WriteOk();
    }

    /// <summary>CLIENT LIST [TYPE normal] [ID id…]: one line per client, Redis's fields that mean something here.</summary>
    public static void List(ClientConnection client, CommandArguments args)
    {
        HashSet<long>? ids = null;
        for (int i = 2; i < args.Count; i++)
        {
            if (args.Is(i, "type"u8) && i + 1 < args.Count)
            {
                i++;
                if (!args.Is(i, "normal"u8))
                {
                    if (args.Is(i, "master"u8) || args.Is(i, "replica"u8) || args.Is(i, "slave"u8) || args.Is(i, "pubsub"u8))
                    {
                        ids = [];
                        continue;
                    }

                    client.Reply.WriteError($"ERR Unknown client type '{args.GetString(i)}'");
                    return;
                }
            }
            else if (args.Is(i, "id"u8) && i + 1 < args.Count)
            {
                ids ??= [];
                for (i++; i < args.Count; i++)
                {
                    if (!args.TryGetInt64(i, out long id) || id <= 0)
                    {
                        client.Reply.WriteError("ERR Invalid client ID");
                        return;
                    }

                    ids.Add(id);
                }
            }
            else
            {
                client.Reply.WriteError(ErrorReplies.Syntax);
                return;
            }
        }

        var text = new StringBuilder();
        foreach (ClientConnection other in client.Server.Clients.Clients.OrderBy(c => c.Id))
        {
            if (ids is null || ids.Contains(other.Id))
            {
                AppendLine(text, other, client);
            }
        }

        client.Reply.WriteBulk(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static void Info(ClientConnection client, CommandArguments args)
    {
        var text = new StringBuilder();
        AppendLine(text, client, client);
        client.Reply.WriteBulk(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static void Help(ClientConnection client, CommandArguments args) => HelpText.Write(client.Reply, "CLIENT",
    [
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST [TYPE <normal|master|replica|pubsub>] [ID <id> [<id> ...]]",
        "    Return information about client connections.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
    ]);

    /// <summary>Redis's rule: every byte between '!' and '~' (no spaces, newlines or control bytes); empty clears.</summary>
    public static bool IsValidName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The name to store: null for an empty name, which clears it.</summary>
    public static string? NameOrNull(ReadOnlySpan<byte> name) => name.IsEmpty ? null : Encoding.ASCII.GetString(name);

    private static void AppendLine(StringBuilder text, ClientConnection other, ClientConnection self)
    {
        long now = Environment.TickCount64;
        CultureInfo c = CultureInfo.InvariantCulture;
        text.Append(c, $"id={other.Id} addr={other.RemoteEndPoint} laddr={other.LocalEndPoint} fd=-1 name={other.Name} ");
        text.Append(c, $"age={(now - other.ConnectedAt) / 1000} idle={(other == self ? 0 : (now - other.LastInteraction) / 1000)} ");
        text.Append(c, $"flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 user=default resp=2 cmd={(other == self ? "client|list" : other.LastCommand)}\n");
    }
}
