using System.Buffers;

namespace NativeMap.CacheServer.Protocol;

/// <summary>
/// Reads RESP2 requests from a connection's receive buffer, as Redis's <c>processMultibulkBuffer</c> and
/// <c>processInlineBuffer</c> do, with Redis's limits and error texts.
/// </summary>
/// <remarks>
/// <para><b>Forms.</b> A request starting with <c>*</c> is a multibulk: <c>*N\r\n</c> then N bulk strings
/// <c>$len\r\n&lt;len bytes&gt;\r\n</c>. Anything else is an inline request: one line up to <c>\n</c> (a <c>\r</c>
/// before it is dropped), split by <see cref="InlineSplitter"/>. <c>*0</c>, a negative count and an empty line are
/// empty requests, skipped.</para>
/// <para><b>Incremental.</b> The connection hands in its buffer starting at the first byte of the request in progress
/// (it advances its <c>PipeReader</c> only past whole requests). When a request is incomplete the parser keeps where
/// it stopped (<see cref="_position"/>, and the arguments already sliced) and how many bytes the buffer must hold
/// before it can go on (<see cref="BytesNeeded"/>); the connection does not call it again until then. So a 100 MB
/// value arriving in 64 KiB reads costs one O(1) length check per read, not a rescan, and an MSET of a million
/// arguments is parsed once. Positions and slices stay valid across reads because the pipe keeps every segment from
/// the unconsumed start on.</para>
/// <para><b>Limits, checked before anything is buffered for them.</b> A multibulk count above <see cref="int.MaxValue"/>,
/// or above 10 before authentication; a bulk length above <c>proto-max-bulk-len</c>, or above 16 KiB before
/// authentication; a count or length line, or an inline request, longer than 64 KiB. Slots for arguments grow only as
/// arguments arrive, so a huge count allocates nothing by itself. Like Redis, the two bytes after a bulk's data are
/// skipped, not checked (Redis does not check them either).</para>
/// <para>Deliberate difference: Redis accepts an inline line longer than 64 KiB when its newline happens to arrive in
/// the same read; here such a line is always refused, so the outcome does not depend on how TCP split the bytes.</para>
/// </remarks>
internal sealed class RequestParser
{
    /// <summary>Redis's <c>PROTO_INLINE_MAX_SIZE</c>: longest inline request, and longest count/length line.</summary>
    public const int InlineMaxBytes = 64 * 1024;

    /// <summary>Most arguments a client may send before it has authenticated (Redis: 10).</summary>
    public const int UnauthenticatedMaxArguments = 10;

    /// <summary>Longest bulk a client may send before it has authenticated (Redis: 16 KiB).</summary>
    public const int UnauthenticatedMaxBulkBytes = 16 * 1024;

    /// <summary>Requests with more arguments than this take the general path (their slots grow as they arrive).</summary>
    private const int FastPathMaxArguments = 1024;

    private readonly CommandArguments _arguments;
    private readonly InlineSplitter _inline = new();

    /// <summary>True between a multibulk's count line and its last argument.</summary>
    private bool _inMultibulk;

    /// <summary>Arguments of the multibulk still to read.</summary>
    private long _remaining;

    /// <summary>Length of the bulk whose header has been read and whose bytes are awaited; -1 = next is a header.</summary>
    private long _bulkLength = -1;

    /// <summary>Bytes of the request in progress already parsed; <see cref="_position"/> is that point in the buffer.</summary>
    private long _offset;

    private SequencePosition _position;

    public RequestParser(CommandArguments arguments)
    {
        _arguments = arguments;
    }

    /// <summary>The buffer (from the request's first byte) must hold at least this many bytes before
    /// <see cref="Parse"/> can make progress; 0 when no request is in progress.</summary>
    public long BytesNeeded { get; private set; }

    /// <summary>After <see cref="ParseStatus.Error"/>: the error text, without the <c>-ERR </c> prefix; characters are
    /// bytes (Latin-1), as the offending byte is quoted raw.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Parses one request from <paramref name="buffer"/>, which starts at the request's first byte. On
    /// <see cref="ParseStatus.Complete"/> the arguments are in the <see cref="CommandArguments"/> given to the
    /// constructor and <paramref name="end"/> is just past the request.
    /// </summary>
    public ParseStatus Parse(in ReadOnlySequence<byte> buffer, long maxBulkBytes, bool authenticated, out SequencePosition end)
    {
        end = buffer.Start;
        if (!_inMultibulk)
        {
            _arguments.Clear();
            var reader = new SequenceReader<byte>(buffer);
            if (!reader.TryPeek(out byte first))
            {
                return NeedMore(1);
            }

            if (first != (byte)'*')
            {
                return ParseInline(buffer, out end);
            }

            if (TryParseInFirstSegment(buffer, maxBulkBytes, authenticated, out long consumed))
            {
                end = buffer.GetPosition(consumed);
                BytesNeeded = 0;
                return ParseStatus.Complete;
            }

            _arguments.Clear();
            reader.Advance(1);
            ParseStatus status = ReadLine(ref reader, "Protocol error: too big mbulk count string", out ReadOnlySequence<byte> line);
            if (status != ParseStatus.Complete)
            {
                return status == ParseStatus.Incomplete ? NeedMore(buffer.Length + 1) : status;
            }

            if (!TryParseNumber(line, out long count) || count > int.MaxValue)
            {
                return Fail("Protocol error: invalid multibulk length");
            }

            if (count > UnauthenticatedMaxArguments && !authenticated)
            {
                return Fail("Protocol error: unauthenticated multibulk length");
            }

            if (count <= 0)
            {
                end = reader.Position;
                BytesNeeded = 0;
                return ParseStatus.Complete;
            }

            _inMultibulk = true;
            _remaining = count;
            _bulkLength = -1;
            _offset = reader.Consumed;
            _position = reader.Position;
        }

        var r = new SequenceReader<byte>(buffer.Slice(_position));
        long baseOffset = _offset;
        while (_remaining > 0)
        {
            if (_bulkLength < 0)
            {
                if (!r.TryPeek(out byte marker))
                {
                    return NeedMore(_offset + 1);
                }

                if (marker != (byte)'$')
                {
                    return Fail($"Protocol error: expected '$', got '{(char)marker}'");
                }

                r.Advance(1);
                ParseStatus status = ReadLine(ref r, "Protocol error: too big bulk count string", out ReadOnlySequence<byte> line);
                if (status != ParseStatus.Complete)
                {
                    return status == ParseStatus.Incomplete ? NeedMore(buffer.Length + 1) : status;
                }

                if (!TryParseNumber(line, out long length) || length < 0 || length > maxBulkBytes)
                {
                    return Fail("Protocol error: invalid bulk length");
                }

                if (length > UnauthenticatedMaxBulkBytes && !authenticated)
                {
                    return Fail("Protocol error: unauthenticated bulk length");
                }

                _bulkLength = length;
                _offset = baseOffset + r.Consumed;
                _position = r.Position;
            }

            if (r.Remaining < _bulkLength + 2)
            {
                return NeedMore(_offset + _bulkLength + 2);
            }

            _arguments.Add(r.UnreadSequence.Slice(0, _bulkLength));
            r.Advance(_bulkLength + 2);
            _bulkLength = -1;
            _remaining--;
            _offset = baseOffset + r.Consumed;
            _position = r.Position;
        }

        end = _position;
        Reset();
        return ParseStatus.Complete;
    }

    /// <summary>
    /// The common case, read straight from a span: a well-formed multibulk that lies wholly in the buffer's first
    /// segment (a pipelined batch of small requests usually does). Anything else — a request crossing into the next
    /// segment, an incomplete one, a malformed one, a large count — returns false and goes through the general path,
    /// which gives the same result for well-formed input and the error for malformed input.
    /// </summary>
    private bool TryParseInFirstSegment(in ReadOnlySequence<byte> buffer, long maxBulkBytes, bool authenticated, out long consumed)
    {
        consumed = 0;
        ReadOnlyMemory<byte> first = buffer.First;
        ReadOnlySpan<byte> span = first.Span;
        int position = 1;
        if (span.IsEmpty || span[0] != (byte)'*' || !TryReadNumberLine(span, ref position, out long count) || count <= 0 || count > FastPathMaxArguments
            || (count > UnauthenticatedMaxArguments && !authenticated))
        {
            return false;
        }

        for (long i = 0; i < count; i++)
        {
            if (position >= span.Length || span[position] != (byte)'$')
            {
                return false;
            }

            position++;
            if (!TryReadNumberLine(span, ref position, out long length) || length < 0 || length > maxBulkBytes
                || (length > UnauthenticatedMaxBulkBytes && !authenticated) || span.Length - position < length + 2)
            {
                return false;
            }

            _arguments.Add(new ReadOnlySequence<byte>(first.Slice(position, (int)length)));
            position += (int)length + 2;
        }

        consumed = position;
        return true;
    }

    /// <summary>Reads "digits\r?" at <paramref name="position"/> within the span (a number line of the fast path).</summary>
    private static bool TryReadNumberLine(ReadOnlySpan<byte> span, ref int position, out long value)
    {
        value = 0;
        ReadOnlySpan<byte> rest = span[position..];
        int cr = rest[..Math.Min(rest.Length, RespNumber.MaxLength + 1)].IndexOf((byte)'\r');
        if (cr < 0 || cr + 1 >= rest.Length || !RespNumber.TryParse(rest[..cr], out value))
        {
            return false;
        }

        position += cr + 2;
        return true;
    }

    /// <summary>Forgets a request in progress (the connection is closing, or its buffer is being replaced).</summary>
    public void Reset()
    {
        _inMultibulk = false;
        _remaining = 0;
        _bulkLength = -1;
        _offset = 0;
        _position = default;
        BytesNeeded = 0;
    }

    private ParseStatus ParseInline(in ReadOnlySequence<byte> buffer, out SequencePosition end)
    {
        end = buffer.Start;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            return buffer.Length > InlineMaxBytes ? Fail("Protocol error: too big inline request") : NeedMore(buffer.Length + 1);
        }

        if (line.Length > InlineMaxBytes)
        {
            return Fail("Protocol error: too big inline request");
        }

        if (!line.IsEmpty && EndsWithCarriageReturn(line))
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (!_inline.TrySplit(line, _arguments))
        {
            return Fail("Protocol error: unbalanced quotes in request");
        }

        end = reader.Position;
        BytesNeeded = 0;
        return ParseStatus.Complete;
    }

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> line)
    {
        ReadOnlySequence<byte> last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }

    /// <summary>Reads up to the next <c>\r</c> and skips it and the byte after it (Redis does not check that byte).</summary>
    private ParseStatus ReadLine(ref SequenceReader<byte> reader, string tooBigError, out ReadOnlySequence<byte> line)
    {
        if (!reader.TryReadTo(out line, (byte)'\r', advancePastDelimiter: true))
        {
            return reader.Remaining > InlineMaxBytes ? Fail(tooBigError) : ParseStatus.Incomplete;
        }

        if (reader.End)
        {
            return ParseStatus.Incomplete;
        }

        reader.Advance(1);
        return ParseStatus.Complete;
    }

    private static bool TryParseNumber(in ReadOnlySequence<byte> text, out long value)
    {
        if (text.Length > RespNumber.MaxLength)
        {
            value = 0;
            return false;
        }

        if (text.IsSingleSegment)
        {
            return RespNumber.TryParse(text.FirstSpan, out value);
        }

        Span<byte> copy = stackalloc byte[RespNumber.MaxLength];
        text.CopyTo(copy);
        return RespNumber.TryParse(copy[..(int)text.Length], out value);
    }

    private ParseStatus NeedMore(long bytes)
    {
        BytesNeeded = bytes;
        return ParseStatus.Incomplete;
    }

    private ParseStatus Fail(string error)
    {
        Error = error;
        Reset();
        return ParseStatus.Error;
    }
}
