using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// A small blocking RESP2 client for load generation: requests are appended to a buffer and sent as one pipelined
/// batch (<see cref="Flush"/>), then the replies are read one by one with <see cref="ReadReply"/>, which keeps only
/// the kind and size (values are skipped, not copied). One client per thread; several threads make the load.
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly Socket _socket;
    private byte[] _send = new byte[64 * 1024];
    private int _sendLength;
    private readonly byte[] _receive = new byte[256 * 1024];
    private int _start;
    private int _end;

    private RespClient(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<RespClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        socket.ReceiveTimeout = 120_000;
        return new RespClient(socket);
    }

    /// <summary>Sends one command and returns its reply as text: simple strings and bulks as they are, errors with
    /// their '-', integers in decimal, arrays as their items joined by newlines, null as null.</summary>
    public Task<string?> CallAsync(params string[] args) => Task.Run(() =>
    {
        Append(args);
        Flush();
        return ReadText();
    });

    /// <summary>Appends a command to the batch.</summary>
    public void Append(params string[] args)
    {
        WriteHeader((byte)'*', args.Length);
        foreach (string arg in args)
        {
            int length = Encoding.UTF8.GetByteCount(arg);
            WriteHeader((byte)'$', length);
            Ensure(length + 2);
            Encoding.UTF8.GetBytes(arg, _send.AsSpan(_sendLength));
            _sendLength += length;
            WriteCrlf();
        }
    }

    /// <summary>Appends a command whose arguments are raw bytes (keys and values of the load).</summary>
    public void Append(ReadOnlySpan<byte> command, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value = default, bool hasValue = false)
    {
        WriteHeader((byte)'*', hasValue ? 3 : 2);
        WriteBulk(command);
        WriteBulk(key);
        if (hasValue)
        {
            WriteBulk(value);
        }
    }

    /// <summary>Appends a command with a name and many keys (DEL k1 k2 …).</summary>
    public void AppendMany(ReadOnlySpan<byte> command, IReadOnlyList<byte[]> keys)
    {
        WriteHeader((byte)'*', keys.Count + 1);
        WriteBulk(command);
        foreach (byte[] key in keys)
        {
            WriteBulk(key);
        }
    }

    /// <summary>Sends the batch.</summary>
    public void Flush()
    {
        int sent = 0;
        while (sent < _sendLength)
        {
            sent += _socket.Send(_send, sent, _sendLength - sent, SocketFlags.None);
        }

        _sendLength = 0;
    }

    /// <summary>Reads one reply, skipping its contents; arrays are read whole.</summary>
    public Reply ReadReply()
    {
        byte kind = ReadByte();
        long number = ReadLineNumber(kind);
        switch (kind)
        {
            case (byte)'$':
                if (number >= 0)
                {
                    Skip(number + 2);
                }

                return new Reply(kind, number);
            case (byte)'*':
                for (long i = 0; i < number; i++)
                {
                    ReadReply();
                }

                return new Reply(kind, number);
            default:
                return new Reply(kind, number);
        }
    }

    /// <summary>Reads one reply as text (see <see cref="CallAsync"/>).</summary>
    public string? ReadText()
    {
        byte kind = ReadByte();
        switch (kind)
        {
            case (byte)'+':
            case (byte)':':
                return ReadLine();
            case (byte)'-':
                return "-" + ReadLine();
            case (byte)'$':
            {
                long length = long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                byte[] bytes = new byte[length];
                for (int copied = 0; copied < length;)
                {
                    Fill(1);
                    int n = (int)Math.Min(length - copied, _end - _start);
                    Array.Copy(_receive, _start, bytes, copied, n);
                    _start += n;
                    copied += n;
                }

                Skip(2);
                return Encoding.UTF8.GetString(bytes);
            }
            case (byte)'*':
            {
                long count = long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new List<string?>();
                for (long i = 0; i < count; i++)
                {
                    items.Add(ReadText());
                }

                return string.Join('\n', items);
            }
            default:
                throw new InvalidDataException($"not a RESP reply: '{(char)kind}'");
        }
    }

    public void Dispose() => _socket.Dispose();

    private void WriteBulk(ReadOnlySpan<byte> bytes)
    {
        WriteHeader((byte)'$', bytes.Length);
        Ensure(bytes.Length + 2);
        bytes.CopyTo(_send.AsSpan(_sendLength));
        _sendLength += bytes.Length;
        WriteCrlf();
    }

    private void WriteHeader(byte prefix, long number)
    {
        Ensure(24);
        _send[_sendLength++] = prefix;
        Utf8Formatter.TryFormat(number, _send.AsSpan(_sendLength), out int written);
        _sendLength += written;
        WriteCrlf();
    }

    private void WriteCrlf()
    {
        Ensure(2);
        _send[_sendLength++] = (byte)'\r';
        _send[_sendLength++] = (byte)'\n';
    }

    private void Ensure(int bytes)
    {
        if (_send.Length - _sendLength < bytes)
        {
            Array.Resize(ref _send, Math.Max(_send.Length * 2, _sendLength + bytes));
        }
    }

    private byte ReadByte()
    {
        Fill(1);
        return _receive[_start++];
    }

    private long ReadLineNumber(byte kind)
    {
        string line = ReadLine();
        if (kind is (byte)'+' or (byte)'-')
        {
            return kind == (byte)'-' ? throw new InvalidOperationException("server error: " + line) : 0;
        }

        return long.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
    }

    private string ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_receive, (byte)'\n', _start, _end - _start);
            if (newline > _start)
            {
                string line = Encoding.UTF8.GetString(_receive, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }

            Fill(_end - _start + 1);
        }
    }

    private void Skip(long count)
    {
        while (count > 0)
        {
            Fill(1);
            int n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Makes at least <paramref name="bytes"/> bytes available (at most the buffer's size).</summary>
    private void Fill(int bytes)
    {
        if (_end - _start >= bytes)
        {
            return;
        }

        if (_start > 0)
        {
            Array.Copy(_receive, _start, _receive, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        while (_end < bytes)
        {
            int read = _socket.Receive(_receive, _end, _receive.Length - _end, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            _end += read;
        }
    }
}

/// <summary>A reply's kind (<c>+ - : $ *</c>) and its number (integer, bulk length, array count).</summary>
public readonly record struct Reply(byte Kind, long Number)
{
    public bool IsNullBulk => Kind == (byte)'$' && Number < 0;
}
