using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>
/// A client over a raw socket: sends exactly the bytes a test gives (malformed ones included) and reads RESP2 replies
/// with a deadline, so that a server that stops answering fails the test instead of hanging it.
/// </summary>
public sealed class RawClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RawClient(IPEndPoint endPoint)
    {
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(endPoint);
        _socket.ReceiveTimeout = (int)DefaultTimeout.TotalMilliseconds;
    }

    public Socket Socket => _socket;

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = _socket.Send(bytes);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends a request as a multibulk of the given arguments.</summary>
    public void SendCommand(params string[] args) => Send(Encode(args));

    public static byte[] Encode(params string[] args)
    {
        var text = new StringBuilder();
        text.Append('*').Append(args.Length).Append("\r\n");
        foreach (string arg in args)
        {
            text.Append('$').Append(Encoding.Latin1.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>Sends a command and reads its reply.</summary>
    public RespValue Call(params string[] args)
    {
        SendCommand(args);
        return Read();
    }

    /// <summary>Reads one reply; throws <see cref="IOException"/> if the server closed first, or on timeout.</summary>
    public RespValue Read()
    {
        string line = ReadLine();
        char kind = line[0];
        string rest = line[1..];
        switch (kind)
        {
            case '+':
                return new RespValue(RespKind.SimpleString, Encoding.Latin1.GetBytes(rest));
            case '-':
                return new RespValue(RespKind.Error, Encoding.Latin1.GetBytes(rest));
            case ':':
                return new RespValue(RespKind.Integer, Integer: long.Parse(rest, System.Globalization.CultureInfo.InvariantCulture));
            case '$':
            {
                int length = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return new RespValue(RespKind.Bulk);
                }

                byte[] bytes = ReadExactly(length + 2);
                if (bytes[length] != '\r' || bytes[length + 1] != '\n')
                {
                    throw new InvalidDataException("bulk string not followed by CRLF");
                }

                return new RespValue(RespKind.Bulk, bytes[..length]);
            }
            case '*':
            {
                int count = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return new RespValue(RespKind.Array);
                }

                var items = new List<RespValue>(count);
                for (int i = 0; i < count; i++)
                {
                    items.Add(Read());
                }

                return new RespValue(RespKind.Array, Items: items);
            }
            default:
                throw new InvalidDataException($"not a RESP reply: '{line}'");
        }
    }

    /// <summary>Whether the server closed the connection (a read returns 0) within the timeout, with nothing unread.</summary>
    public bool WaitForClose(TimeSpan? timeout = null)
    {
        if (_end > _start)
        {
            return false;
        }

        _socket.ReceiveTimeout = (int)(timeout ?? DefaultTimeout).TotalMilliseconds;
        try
        {
            return _socket.Receive(_buffer) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private string ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline > _start && _buffer[newline - 1] == '\r')
            {
                string line = Encoding.Latin1.GetString(_buffer, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }

            Fill();
        }
    }

    private byte[] ReadExactly(int count)
    {
        byte[] result = new byte[count];
        int copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                Fill();
            }

            int n = Math.Min(count - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }

        return result;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("reply line longer than the test client's buffer");
        }

        int read;
        try
        {
            read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            throw new IOException($"no reply within {_socket.ReceiveTimeout} ms", e);
        }

        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    public void Dispose() => _socket.Dispose();
}
