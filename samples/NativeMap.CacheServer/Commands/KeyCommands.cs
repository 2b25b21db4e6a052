using System.Buffers;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;
using NativeMap.CacheServer.Text;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// DEL, UNLINK, EXISTS, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST, KEYS, SCAN, DBSIZE, FLUSHALL, FLUSHDB. Every key is a
/// string (the only type), so SCAN's TYPE filter matches "string" or nothing.
/// </summary>
internal static class KeyCommands
{
    /// <summary>DEL and UNLINK: UNLINK is the same here — the store frees an entry's block at once and the heap keeps
    /// the page warm for its decay, so there is nothing to hand to a background thread.</summary>
    public static void Del(ClientConnection client, CommandArguments args)
    {
        var keys = new ArgumentKeys(args, 1);
        client.Reply.WriteInteger(client.Server.Store.RemoveMany(ref keys));
    }

    public static void Exists(ClientConnection client, CommandArguments args)
    {
        var keys = new ArgumentKeys(args, 1);
        client.Reply.WriteInteger(client.Server.Store.CountExisting(ref keys));
    }

    public static void Expire(ClientConnection client, CommandArguments args) => ExpireGeneric(client, args, seconds: true);

    public static void PExpire(ClientConnection client, CommandArguments args) => ExpireGeneric(client, args, seconds: false);

    public static void Ttl(ClientConnection client, CommandArguments args) => TtlGeneric(client, args, milliseconds: false);

    public static void PTtl(ClientConnection client, CommandArguments args) => TtlGeneric(client, args, milliseconds: true);

    public static void Persist(ClientConnection client, CommandArguments args) =>
        client.Reply.WriteInteger(client.Server.Store.Persist(args.Span(1)) ? 1 : 0);

    public static void DbSize(ClientConnection client, CommandArguments args) => client.Reply.WriteInteger(client.Server.Store.Count);

    /// <summary>FLUSHALL / FLUSHDB [ASYNC|SYNC]. SYNC clears every shard now; ASYNC detaches the contents at once
    /// (the store is empty when the reply goes out) and frees them on a thread-pool thread.</summary>
    public static void FlushAll(ClientConnection client, CommandArguments args)
    {
        bool async = false;
        if (args.Count == 2 && args.Is(1, "async"u8))
        {
            async = true;
        }
        else if (args.Count > 2 || (args.Count == 2 && !args.Is(1, "sync"u8)))
        {
            client.Reply.WriteError(ErrorReplies.Syntax);
            return;
        }

        ConcurrentNativeBytesMap store = client.Server.Store;
        if (async)
        {
            IDisposable detached = store.DetachAll();
            ThreadPool.UnsafeQueueUserWorkItem(static d => d.Dispose(), detached, preferLocal: false);
        }
        else
        {
            store.Clear();
        }

        client.Reply.WriteOk();
    }

    /// <summary>KEYS pattern: a scan of the whole store, matching as Redis's <c>stringmatchlen</c>.</summary>
    public static void Keys(ClientConnection client, CommandArguments args)
    {
        ReadOnlySpan<byte> pattern = args.Span(1);
        var found = new KeyList(pattern.ToArray());
        ConcurrentNativeBytesMap store = client.Server.Store;
        if (GlobPattern.IsLiteral(pattern))
        {
            if (store.ContainsKey(pattern))
            {
                found.Add(pattern);
            }
        }
        else
        {
            ulong cursor = 0;
            do
            {
                cursor = store.Scan(cursor, 1024, ref found, static (ReadOnlySpan<byte> key, ref KeyList list) => list.AddIfMatch(key));
            }
            while (cursor != 0);
        }

        found.WriteArray(client.Reply);
    }

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].</summary>
    public static void Scan(ClientConnection client, CommandArguments args)
    {
        if (!TryParseCursor(args.Span(1), out ulong cursor))
        {
            client.Reply.WriteError("ERR invalid cursor");
            return;
        }

        byte[]? pattern = null;
        long count = 10;
        bool typeMatches = true;
        for (int i = 2; i < args.Count; i++)
        {
            bool hasNext = i + 1 < args.Count;
            if (args.Is(i, "count"u8) && hasNext)
            {
                if (!args.TryGetInt64(++i, out count))
                {
                    client.Reply.WriteError(ErrorReplies.NotInteger);
                    return;
                }

                if (count < 1)
                {
                    client.Reply.WriteError(ErrorReplies.Syntax);
                    return;
                }
            }
            else if (args.Is(i, "match"u8) && hasNext)
            {
                pattern = args.Span(++i).ToArray();
                if (pattern is [(byte)'*'])
                {
                    pattern = null;
                }
            }
            else if (args.Is(i, "type"u8) && hasNext)
            {
                typeMatches = args.Is(++i, "string"u8);
            }
            else
            {
                client.Reply.WriteError(ErrorReplies.Syntax);
                return;
            }
        }

        var found = new KeyList(pattern);
        ulong next;
        try
        {
            next = client.Server.Store.Scan(cursor, (int)Math.Min(count, int.MaxValue), ref found,
                static (ReadOnlySpan<byte> key, ref KeyList list) => list.AddIfMatch(key));
        }
        catch (ArgumentOutOfRangeException)
        {
            // Not a cursor this store hands out: Redis would scan from wherever the number points; here it is refused.
            client.Reply.WriteError("ERR invalid cursor");
            return;
        }

        client.Reply.WriteArrayHeader(2);
        client.Reply.WriteBulkString(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (typeMatches)
        {
            found.WriteArray(client.Reply);
        }
        else
        {
            client.Reply.WriteArrayHeader(0);
        }
    }

    private static void ExpireGeneric(ClientConnection client, CommandArguments args, bool seconds)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < args.Count; i++)
        {
            if (args.Is(i, "nx"u8))
            {
                nx = true;
            }
            else if (args.Is(i, "xx"u8))
            {
                xx = true;
            }
            else if (args.Is(i, "gt"u8))
            {
                gt = true;
            }
            else if (args.Is(i, "lt"u8))
            {
                lt = true;
            }
            else
            {
                var text = new System.Text.StringBuilder("ERR Unsupported option ");
                ErrorReplies.AppendLatin1(text, args.Span(i), int.MaxValue);
                client.Reply.WriteError(text.ToString());
                return;
            }
        }

        if (nx && (xx || gt || lt))
        {
            client.Reply.WriteError("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }

        if (gt && lt)
        {
            client.Reply.WriteError("ERR GT and LT options at the same time are not compatible");
            return;
        }

        if (!args.TryGetInt64(2, out long when))
        {
            client.Reply.WriteError(ErrorReplies.NotInteger);
            return;
        }

        // EXPIRE accepts negative times (the key is deleted); only overflow is an error, as in Redis.
        ConcurrentNativeBytesMap store = client.Server.Store;
        if (!Deadlines.TryFromExpire(when, seconds, store.UtcNowTicks, out long deadline))
        {
            client.Reply.WriteError($"ERR invalid expire time in '{(seconds ? "expire" : "pexpire")}' command");
            return;
        }

        ReadOnlySpan<byte> key = args.Span(1);
        ExpireCondition condition = nx ? ExpireCondition.IfNone
            : gt ? ExpireCondition.IfLater
            : lt ? ExpireCondition.IfEarlier
            : xx ? ExpireCondition.IfAny
            : ExpireCondition.Always;
        if (xx && lt && (!store.TryGetDeadline(key, out long current) || current == 0))
        {
            // XX LT: LT alone accepts a key without a deadline (infinite); XX does not. Two calls, not one atomic step:
            // a PERSIST racing in between can let the deadline be set (noted in the server's notes).
            client.Reply.WriteInteger(0);
            return;
        }

        client.Reply.WriteInteger(store.SetDeadline(key, deadline, condition) ? 1 : 0);
    }

    private static void TtlGeneric(ClientConnection client, CommandArguments args, bool milliseconds)
    {
        ConcurrentNativeBytesMap store = client.Server.Store;
        if (!store.TryGetDeadline(args.Span(1), out long deadline))
        {
            client.Reply.WriteInteger(-2);
            return;
        }

        if (deadline == 0)
        {
            client.Reply.WriteInteger(-1);
            return;
        }

        long ttl = Math.Max(0, (deadline - store.UtcNowTicks) / TimeSpan.TicksPerMillisecond);
        client.Reply.WriteInteger(milliseconds ? ttl : (ttl + 500) / 1000);
    }

    /// <summary>Redis's cursor: an unsigned 64-bit decimal (strtoul: a leading '-' negates modulo 2^64).</summary>
    private static bool TryParseCursor(ReadOnlySpan<byte> text, out ulong cursor)
    {
        bool negative = !text.IsEmpty && text[0] == (byte)'-';
        if (negative)
        {
            text = text[1..];
        }

        cursor = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || cursor > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            cursor = (cursor * 10) + digit;
        }

        if (negative)
        {
            cursor = 0 - cursor;
        }

        return true;
    }

    /// <summary>Keys copied out of the store during a scan (the store's spans are valid only in the callback), kept in
    /// one growing buffer with their offsets.</summary>
    private struct KeyList(byte[]? pattern)
    {
        private readonly byte[]? _pattern = pattern;
        private byte[] _bytes = [];
        private int _length;
        private List<(int Start, int Length)>? _keys;

        public void AddIfMatch(ReadOnlySpan<byte> key)
        {
            if (_pattern is null || GlobPattern.IsMatch(_pattern, key, ignoreCase: false))
            {
                Add(key);
            }
        }

        public void Add(ReadOnlySpan<byte> key)
        {
            if (_bytes.Length - _length < key.Length)
            {
                byte[] grown = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + key.Length + 256));
                _bytes.AsSpan(0, _length).CopyTo(grown);
                if (_bytes.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(_bytes);
                }

                _bytes = grown;
            }

            key.CopyTo(_bytes.AsSpan(_length));
            (_keys ??= []).Add((_length, key.Length));
            _length += key.Length;
        }

        public readonly void WriteArray(ReplyWriter reply)
        {
            reply.WriteArrayHeader(_keys?.Count ?? 0);
            foreach ((int start, int length) in _keys ?? [])
            {
                reply.WriteBulk(_bytes.AsSpan(start, length));
            }

            if (_bytes.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_bytes);
            }
        }
    }
}
