using System.Security.Cryptography;
using System.Text;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>PING, ECHO, HELLO, AUTH, SELECT, QUIT: Redis 7's connection commands, RESP2 only.</summary>
internal static class ConnectionCommands
{
    /// <summary>The Redis version this server's commands and replies follow; clients pick features by it.</summary>
    public const string RedisVersion = "7.0.0";

    public static void Ping(ClientConnection client, CommandArguments args)
    {
        if (args.Count > 2)
        {
            client.Reply.WriteError(ErrorReplies.WrongArity(client.Server.Commands.Find("ping"u8)!));
        }
        else if (args.Count == 2)
        {
            client.Reply.WriteBulk(args[1]);
        }
        else
        {
            client.Reply.WriteRaw("+PONG\r\n"u8);
        }
    }

    public static void Echo(ClientConnection client, CommandArguments args) => client.Reply.WriteBulk(args[1]);

    /// <summary>SELECT: one database, number 0.</summary>
    public static void Select(ClientConnection client, CommandArguments args)
    {
        if (!args.TryGetInt64(1, out long index) || index is < int.MinValue or > int.MaxValue)
        {
            client.Reply.WriteError(ErrorReplies.NotInteger);
        }
        else if (index != 0)
        {
            client.Reply.WriteError(ErrorReplies.DbIndexOutOfRange);
        }
        else
        {
            client.Reply.WriteOk();
        }
    }

    /// <summary>QUIT: +OK, then the connection closes once that reply is sent.</summary>
    public static void Quit(ClientConnection client, CommandArguments args)
    {
        client.Reply.WriteOk();
        client.CloseAfterReply();
    }

    /// <summary>AUTH password | AUTH username password; the only user is <c>default</c>.</summary>
    public static void Auth(ClientConnection client, CommandArguments args)
    {
        if (args.Count > 3)
        {
            client.Reply.WriteError(ErrorReplies.Syntax);
            return;
        }

        string? requirePass = client.Server.Settings.RequirePass;
        if (args.Count == 2 && requirePass is null)
        {
            client.Reply.WriteError(ErrorReplies.AuthNotConfigured);
            return;
        }

        bool ok = args.Count == 2
            ? PasswordMatches(args.Span(1), requirePass)
            : IsDefaultUser(args.Span(1)) && PasswordMatches(args.Span(2), requirePass);
        if (ok)
        {
            client.MarkAuthenticated();
            client.Reply.WriteOk();
        }
        else
        {
            client.Reply.WriteError(ErrorReplies.WrongPass);
        }
    }

    /// <summary>HELLO [2 [AUTH user pass] [SETNAME name]]: only RESP2; version 3 gets NOPROTO.</summary>
    public static void Hello(ClientConnection client, CommandArguments args)
    {
        int next = 1;
        if (args.Count >= 2)
        {
            next = 2;
            if (!args.TryGetInt64(1, out long version))
            {
                client.Reply.WriteError(ErrorReplies.ProtocolVersionNotInteger);
                return;
            }

            if (version != 2)
            {
                client.Reply.WriteError(ErrorReplies.NoProto);
                return;
            }
        }

        int authAt = -1;
        int nameAt = -1;
        for (int i = next; i < args.Count; i++)
        {
            int more = args.Count - 1 - i;
            if (args.Is(i, "auth"u8) && more >= 2)
            {
                authAt = i + 1;
                i += 2;
            }
            else if (args.Is(i, "setname"u8) && more >= 1)
            {
                if (!ClientCommands.IsValidName(args.Span(i + 1)))
                {
                    client.Reply.WriteError(ErrorReplies.BadClientName);
                    return;
                }

                nameAt = i + 1;
                i++;
            }
            else
            {
                var text = new StringBuilder("ERR Syntax error in HELLO option '");
                ErrorReplies.AppendLatin1(text, args.Span(i), int.MaxValue);
                client.Reply.WriteError(text.Append('\'').ToString());
                return;
            }
        }

        if (authAt > 0)
        {
            string? requirePass = client.Server.Settings.RequirePass;
            if (!IsDefaultUser(args.Span(authAt)) || (requirePass is not null && !PasswordMatches(args.Span(authAt + 1), requirePass)))
            {
                client.Reply.WriteError(ErrorReplies.WrongPass);
                return;
            }

            client.MarkAuthenticated();
        }

        if (!client.IsAuthenticated)
        {
            client.Reply.WriteError(ErrorReplies.HelloNoAuth);
            return;
        }

        if (nameAt > 0)
        {
            client.Name = ClientCommands.NameOrNull(args.Span(nameAt));
        }

        ReplyWriter reply = client.Reply;
        reply.WriteArrayHeader(14);
        reply.WriteBulk("server"u8);
        reply.WriteBulk("redis"u8);
        reply.WriteBulk("version"u8);
        reply.WriteBulk(Encoding.ASCII.GetBytes(RedisVersion));
        reply.WriteBulk("proto"u8);
        reply.WriteInteger(2);
        reply.WriteBulk("id"u8);
        reply.WriteInteger(client.Id);
        reply.WriteBulk("mode"u8);
        reply.WriteBulk("standalone"u8);
        reply.WriteBulk("role"u8);
        reply.WriteBulk("master"u8);
        reply.WriteBulk("modules"u8);
        reply.WriteArrayHeader(0);
    }

    private static bool IsDefaultUser(ReadOnlySpan<byte> user) => user.SequenceEqual("default"u8);

    /// <summary>Constant-time comparison, so that timing does not leak how much of a guess was right.</summary>
    private static bool PasswordMatches(ReadOnlySpan<byte> given, string? expected)
    {
        if (expected is null)
        {
            return true; // the default user has no password: any password is accepted, as Redis's "nopass" does
        }

        byte[] expectedBytes = Encoding.UTF8.GetBytes(expected);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(expectedBytes));
    }
}
