using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace NativeMap.CacheServer.Protocol;

/// <summary>
/// Writes RESP2 replies into a connection's <see cref="PipeWriter"/>. It caches the writer's current span so that a
/// reply of a few bytes is a copy and a length bump, not a <see cref="PipeWriter.GetSpan"/> + <see cref="PipeWriter.Advance"/>
/// pair; <see cref="Commit"/> hands what was written to the pipe (the connection calls it before each flush).
/// It is also an <see cref="IBufferWriter{T}"/>, so the store can copy a value straight into the reply stream.
/// </summary>
internal sealed class ReplyWriter : IBufferWriter<byte>
{
    /// <summary>Span asked of the pipe when the cached one runs out: large enough that a pipelined batch of small
    /// replies needs few requests, small enough to come from the pipe's pool (4 KiB segments).</summary>
    private const int ChunkBytes = 4096;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>The connection's pipe; null while the writer sits in the pool between connections.</summary>
    private PipeWriter? _writer;

    /// <summary>The span the pipe gave us last; bytes [0, _buffered) of it are written but not yet advanced.</summary>
    private Memory<byte> _memory;

    private int _buffered;

    public ReplyWriter(PipeWriter? writer)
    {
        _writer = writer;
    }

    /// <summary>Bytes written since the last flush of the pipe (committed or not).</summary>
    public long UnflushedBytes => _writer!.UnflushedBytes + _buffered;

    /// <summary>Error replies written (INFO stats <c>total_error_replies</c>).</summary>
    public long ErrorReplies { get; private set; }

    /// <summary>Hands the bytes written so far to the pipe; call before flushing it.</summary>
    public void Commit()
    {
        if (_buffered > 0)
        {
            _writer!.Advance(_buffered);
            _buffered = 0;
        }

        _memory = default;
    }

    /// <summary>Points the writer at another connection's pipe (or none, in the pool) and zeroes its counter.</summary>
    internal void Reset(PipeWriter? writer)
    {
        _writer = writer;
        _memory = default;
        _buffered = 0;
        ErrorReplies = 0;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)(_memory.Length - _buffered), nameof(count));
        _buffered += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _memory[_buffered..];
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary><c>+OK\r\n</c>.</summary>
    public void WriteOk() => WriteRaw("+OK\r\n"u8);

    /// <summary><c>$-1\r\n</c>: the null bulk string (GET of a missing key).</summary>
    public void WriteNullBulk() => WriteRaw("$-1\r\n"u8);

    /// <summary><c>*-1\r\n</c>: the null array.</summary>
    public void WriteNullArray() => WriteRaw("*-1\r\n"u8);

    /// <summary><c>+text\r\n</c>; <paramref name="text"/> must hold no CR or LF.</summary>
    public void WriteSimpleString(ReadOnlySpan<byte> text)
    {
        Span<byte> span = Reserve(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        Crlf.CopyTo(span[(1 + text.Length)..]);
        _buffered += text.Length + 3;
    }

    /// <summary>
    /// An error reply: <c>-</c> + <paramref name="message"/> + CRLF, the message starting with its code
    /// (<c>ERR …</c>, <c>NOAUTH …</c>, <c>OOM …</c>). Characters are written as bytes (Latin-1), so that a client's raw
    /// bytes quoted in a message come back as sent; CR and LF become spaces, as Redis's <c>addReplyErrorLength</c> does.
    /// </summary>
    public void WriteError(string message)
    {
        ErrorReplies++;
        Span<byte> span = Reserve(message.Length + 3);
        span[0] = (byte)'-';
        for (int i = 0; i < message.Length; i++)
        {
            char c = message[i];
            span[1 + i] = c is '\r' or '\n' ? (byte)' ' : (byte)c;
        }

        Crlf.CopyTo(span[(1 + message.Length)..]);
        _buffered += message.Length + 3;
    }

    /// <summary><c>:n\r\n</c>.</summary>
    public void WriteInteger(long value) => WritePrefixedNumber((byte)':', value);

    /// <summary><c>*n\r\n</c>: the header of an array of <paramref name="count"/> replies.</summary>
    public void WriteArrayHeader(long count) => WritePrefixedNumber((byte)'*', count);

    /// <summary><c>$n\r\n</c>: the header of a bulk string; the caller writes the bytes, then <see cref="WriteCrlf"/>.</summary>
    public void WriteBulkHeader(long length) => WritePrefixedNumber((byte)'$', length);

    public void WriteCrlf() => WriteRaw(Crlf);

    /// <summary>A bulk string: <c>$len\r\n</c>, the bytes, <c>\r\n</c>.</summary>
    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        WriteBulkHeader(value.Length);
        WriteRaw(value);
        WriteRaw(Crlf);
    }

    /// <summary>A bulk string from a (possibly multi-segment) sequence.</summary>
    public void WriteBulk(in ReadOnlySequence<byte> value)
    {
        WriteBulkHeader(value.Length);
        foreach (ReadOnlyMemory<byte> segment in value)
        {
            WriteRaw(segment.Span);
        }

        WriteRaw(Crlf);
    }

    /// <summary>A bulk string holding the decimal text of <paramref name="value"/>.</summary>
    public void WriteBulkInteger(long value)
    {
        Span<byte> digits = stackalloc byte[RespNumber.MaxLength];
        int length = RespNumber.Format(value, digits);
        WriteBulk(digits[..length]);
    }

    /// <summary>A bulk string holding <paramref name="text"/> as Latin-1/ASCII bytes (cold paths: INFO, CONFIG).</summary>
    public void WriteBulkString(string text)
    {
        WriteBulkHeader(text.Length);
        Span<byte> span = Reserve(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _buffered += text.Length;
        WriteRaw(Crlf);
    }

    /// <summary>Bytes as they are, copied in chunks when they do not fit the cached span.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Span<byte> free = _memory.Span[_buffered..];
        if (bytes.Length <= free.Length)
        {
            bytes.CopyTo(free);
            _buffered += bytes.Length;
            return;
        }

        WriteRawSlow(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // rare: a reply larger than what is left of the cached span
    private void WriteRawSlow(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Ensure(1);
            Span<byte> free = _memory.Span[_buffered..];
            int n = Math.Min(free.Length, bytes.Length);
            bytes[..n].CopyTo(free);
            _buffered += n;
            bytes = bytes[n..];
        }
    }

    private void WritePrefixedNumber(byte prefix, long value)
    {
        Span<byte> span = Reserve(RespNumber.MaxLength + 3);
        span[0] = prefix;
        int length = RespNumber.Format(value, span[1..]);
        span[1 + length] = (byte)'\r';
        span[2 + length] = (byte)'\n';
        _buffered += length + 3;
    }

    /// <summary>A span of at least <paramref name="size"/> bytes at the write position (not yet counted as written).</summary>
    private Span<byte> Reserve(int size)
    {
        if (_memory.Length - _buffered < size)
        {
            Ensure(size);
        }

        return _memory.Span[_buffered..];
    }

    private void Ensure(int size)
    {
        if (_memory.Length - _buffered >= size)
        {
            return;
        }

        if (_buffered > 0)
        {
            _writer!.Advance(_buffered);
            _buffered = 0;
        }

        _memory = _writer!.GetMemory(Math.Max(size, ChunkBytes));
    }
}
