using System.Buffers;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// GET, SET, SETNX, SETEX, PSETEX, GETDEL, MGET, MSET, MSETNX, APPEND, STRLEN, INCR, DECR, INCRBY, DECRBY: Redis 7's string commands over
/// the concurrent store. Values never pass through a managed array: SET and MSET hand the store the request's
/// <see cref="ReadOnlySequence{T}"/>, and GET, MGET and GETDEL write the reply (header and bytes) from inside the
/// store's read callback, under the shard lock, straight into the connection's pipe.
/// </summary>
internal static class StringCommands
{
    public static void Get(ClientConnection client, CommandArguments args)
    {
        ReplyWriter reply = client.Reply;
        if (!client.Server.Store.TryRead(args.Span(1), ref reply, static (ReadOnlySpan<byte> value, ref ReplyWriter w) => w.WriteBulk(value)))
        {
            reply.WriteNullBulk();
        }
    }

    public static void GetDel(ClientConnection client, CommandArguments args)
    {
        ReplyWriter reply = client.Reply;
        if (!client.Server.Store.Remove(args.Span(1), ref reply, static (ReadOnlySpan<byte> value, ref ReplyWriter w) => w.WriteBulk(value)))
        {
            reply.WriteNullBulk();
        }
    }

    /// <summary>SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL], parsed as Redis's
    /// <c>parseExtendedStringArgumentsOrReply</c> does.</summary>
    public static void Set(ClientConnection client, CommandArguments args)
    {
        if (!TryParseSetOptions(client, args, out SetOptions options))
        {
            return;
        }

        ConcurrentNativeBytesMap store = client.Server.Store;
        ReadOnlySpan<byte> key = args.Span(1);
        long deadline = options.Deadline;
        SetResult result;
        if (!options.Get)
        {
            result = store.Set(key, args[2], deadline, options.Condition, options.KeepTtl);
            switch (result)
            {
                case SetResult.Stored:
                case SetResult.Expired: // Redis 7: a deadline already past deletes the key and still answers OK
                    client.Reply.WriteOk();
                    break;
                case SetResult.ConditionNotMet:
                    client.Reply.WriteNullBulk();
                    break;
                default:
                    client.Reply.WriteError(ErrorReplies.Oom);
                    break;
            }

            return;
        }

        // SET … GET: the old value is the reply, written from inside the store's callback before it is replaced.
        var old = new OldValue(client.Reply);
        result = store.Set(key, args[2], deadline, options.Condition, options.KeepTtl, ref old,
            static (ReadOnlySpan<byte> value, ref OldValue o) =>
            {
                o.Reply.WriteBulk(value);
                o.Written = true;
            });
        if (result == SetResult.TooLarge && !old.Written)
        {
            client.Reply.WriteError(ErrorReplies.Oom);
        }
        else if (!old.Written)
        {
            client.Reply.WriteNullBulk();
        }
    }

    /// <summary>SETNX key value: 1 when set, 0 when the key existed (the form StackExchange.Redis sends for When.NotExists).</summary>
    public static void SetNx(ClientConnection client, CommandArguments args) =>
        client.Reply.WriteInteger(client.Server.Store.Set(args.Span(1), args[2], 0, SetCondition.IfAbsent) == SetResult.Stored ? 1 : 0);

    /// <summary>SETEX key seconds value and PSETEX key milliseconds value.</summary>
    public static void SetEx(ClientConnection client, CommandArguments args)
    {
        bool seconds = args.Is(0, "setex"u8);
        if (!args.TryGetInt64(2, out long value))
        {
            client.Reply.WriteError(ErrorReplies.NotInteger);
            return;
        }

        ConcurrentNativeBytesMap store = client.Server.Store;
        if (!Deadlines.TryFromSetOption(value, seconds, relative: true, store.UtcNowTicks, out long deadline))
        {
            client.Reply.WriteError($"ERR invalid expire time in '{(seconds ? "setex" : "psetex")}' command");
            return;
        }

        if (store.Set(args.Span(1), args[3], deadline) == SetResult.TooLarge)
        {
            client.Reply.WriteError(ErrorReplies.Oom);
            return;
        }

        client.Reply.WriteOk();
    }

    public static void MGet(ClientConnection client, CommandArguments args)
    {
        ReplyWriter reply = client.Reply;
        var keys = new ArgumentKeys(args, 1);
        reply.WriteArrayHeader(keys.Count);
        client.Server.Store.ReadMany(ref keys, ref reply, static (int _, ReadOnlySpan<byte> value, bool found, ref ReplyWriter w) =>
        {
            if (found)
            {
                w.WriteBulk(value);
            }
            else
            {
                w.WriteNullBulk();
            }
        });
    }

    public static void MSet(ClientConnection client, CommandArguments args)
    {
        if (args.Count % 2 == 0)
        {
            client.Reply.WriteError(ErrorReplies.WrongArity(client.Server.Commands.Find(args.Span(0))!));
            return;
        }

        var pairs = new ArgumentPairs(args);
        if (args.Is(0, "msetnx"u8))
        {
            client.Reply.WriteInteger(client.Server.Store.SetManyIfNoneExist(ref pairs) ? 1 : 0);
            return;
        }

        client.Server.Store.SetMany(ref pairs);
        client.Reply.WriteOk();
    }

    public static void Append(ClientConnection client, CommandArguments args) =>
        client.Reply.WriteInteger(client.Server.Store.Append(args.Span(1), args.Span(2)));

    public static void StrLen(ClientConnection client, CommandArguments args) =>
        client.Reply.WriteInteger(client.Server.Store.TryGetLength(args.Span(1), out int length) ? length : 0);

    public static void Incr(ClientConnection client, CommandArguments args) => IncrementBy(client, args, 1);

    public static void Decr(ClientConnection client, CommandArguments args) => IncrementBy(client, args, -1);

    public static void IncrBy(ClientConnection client, CommandArguments args)
    {
        if (!args.TryGetInt64(2, out long delta))
        {
            client.Reply.WriteError(ErrorReplies.NotInteger);
            return;
        }

        IncrementBy(client, args, delta);
    }

    public static void DecrBy(ClientConnection client, CommandArguments args)
    {
        if (!args.TryGetInt64(2, out long delta))
        {
            client.Reply.WriteError(ErrorReplies.NotInteger);
        }
        else if (delta == long.MinValue)
        {
            client.Reply.WriteError("ERR decrement would overflow");
        }
        else
        {
            IncrementBy(client, args, -delta);
        }
    }

    private static void IncrementBy(ClientConnection client, CommandArguments args, long delta)
    {
        switch (client.Server.Store.Increment(args.Span(1), delta, out long value))
        {
            case IncrementResult.Done:
                client.Reply.WriteInteger(value);
                break;
            case IncrementResult.NotAnInteger:
                client.Reply.WriteError(ErrorReplies.NotInteger);
                break;
            default:
                client.Reply.WriteError("ERR increment or decrement would overflow");
                break;
        }
    }

    private static bool TryParseSetOptions(ClientConnection client, CommandArguments args, out SetOptions options)
    {
        options = default;
        bool expirySeen = false;
        for (int i = 3; i < args.Count; i++)
        {
            bool hasNext = i + 1 < args.Count;
            if (args.Is(i, "nx"u8) && options.Condition != SetCondition.IfPresent)
            {
                options.Condition = SetCondition.IfAbsent;
            }
            else if (args.Is(i, "xx"u8) && options.Condition != SetCondition.IfAbsent)
            {
                options.Condition = SetCondition.IfPresent;
            }
            else if (args.Is(i, "get"u8))
            {
                options.Get = true;
            }
            else if (args.Is(i, "keepttl"u8) && !expirySeen)
            {
                options.KeepTtl = true;
                expirySeen = true;
            }
            else if (hasNext && !expirySeen && !options.KeepTtl && ExpiryUnit(args, i) is { } unit)
            {
                expirySeen = true;
                i++;
                if (!args.TryGetInt64(i, out long value))
                {
                    client.Reply.WriteError(ErrorReplies.NotInteger);
                    return false;
                }

                if (!Deadlines.TryFromSetOption(value, unit.Seconds, unit.Relative, client.Server.Store.UtcNowTicks, out options.Deadline))
                {
                    client.Reply.WriteError("ERR invalid expire time in 'set' command");
                    return false;
                }
            }
            else
            {
                client.Reply.WriteError(ErrorReplies.Syntax);
                return false;
            }
        }

        return true;
    }

    private static (bool Seconds, bool Relative)? ExpiryUnit(CommandArguments args, int i) =>
        args.Is(i, "ex"u8) ? (true, true)
        : args.Is(i, "px"u8) ? (false, true)
        : args.Is(i, "exat"u8) ? (true, false)
        : args.Is(i, "pxat"u8) ? (false, false)
        : null;

    private struct SetOptions
    {
        public SetCondition Condition;
        public bool Get;
        public bool KeepTtl;

        /// <summary>The store's deadline (ticks); 0 = none.</summary>
        public long Deadline;
    }

    /// <summary>The state of SET … GET's old-value callback.</summary>
    private struct OldValue(ReplyWriter reply)
    {
        public readonly ReplyWriter Reply = reply;
        public bool Written;
    }
}
