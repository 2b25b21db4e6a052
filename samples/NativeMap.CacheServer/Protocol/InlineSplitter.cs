using System.Buffers;

namespace NativeMap.CacheServer.Protocol;

/// <summary>
/// Splits an inline request (a line typed into telnet: <c>SET k "hello world"</c>) into arguments the way Redis's
/// <c>sdssplitargs</c> does: arguments separated by white space; <c>"..."</c> with the escapes <c>\n \r \t \b \a \\ \"</c>
/// and <c>\xHH</c>; <c>'...'</c> with only <c>\'</c>; a closing quote must be followed by white space or the end; an
/// unterminated quote is an error; a NUL byte ends the line (sdssplitargs works on a C string).
/// </summary>
/// <remarks>
/// The line is copied into <see cref="_buffer"/> and decoded in place (an argument never decodes longer than its
/// source, so the write index never passes the read index); the arguments are slices of that buffer, valid until the
/// next inline request.
/// </remarks>
internal sealed class InlineSplitter
{
    private byte[] _buffer = [];

    /// <summary>Adds the arguments of <paramref name="line"/> (without its line ending) to <paramref name="arguments"/>;
    /// false when the quotes are unbalanced.</summary>
    public bool TrySplit(in ReadOnlySequence<byte> line, CommandArguments arguments)
    {
        int length = checked((int)line.Length);
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, 256)];
        }

        line.CopyTo(_buffer);
        int nul = Array.IndexOf(_buffer, (byte)0, 0, length);
        if (nul >= 0)
        {
            length = nul;
        }

        byte[] b = _buffer;
        int read = 0;
        while (true)
        {
            while (read < length && IsSpace(b[read]))
            {
                read++;
            }

            if (read == length)
            {
                return true;
            }

            int start = read;
            int write = read;
            byte quote = 0; // the open quote ('"' or '\''), 0 outside quotes
            while (true)
            {
                byte c = read < length ? b[read] : (byte)0;
                if (quote == (byte)'"' && c == '\\' && Peek(b, read + 1, length) == 'x' && IsHex(Peek(b, read + 2, length)) && IsHex(Peek(b, read + 3, length)))
                {
                    b[write++] = (byte)((HexValue(b[read + 2]) << 4) | HexValue(b[read + 3]));
                    read += 4;
                }
                else if (quote == (byte)'"' && c == '\\' && read + 1 < length)
                {
                    byte escaped = b[read + 1];
                    b[write++] = escaped switch
                    {
                        (byte)'n' => (byte)'\n',
                        (byte)'r' => (byte)'\r',
                        (byte)'t' => (byte)'\t',
                        (byte)'b' => (byte)'\b',
                        (byte)'a' => (byte)'\a',
                        _ => escaped,
                    };
                    read += 2;
                }
                else if (quote == (byte)'\'' && c == '\\' && Peek(b, read + 1, length) == '\'')
                {
                    b[write++] = (byte)'\'';
                    read += 2;
                }
                else if (quote != 0 && c == quote)
                {
                    // The closing quote must be followed by white space or the end of the line.
                    if (read + 1 < length && !IsSpace(b[read + 1]))
                    {
                        return false;
                    }

                    read++;
                    break;
                }
                else if (quote != 0 && read == length)
                {
                    return false; // unterminated quote
                }
                else if (quote == 0 && (read == length || c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    break;
                }
                else if (quote == 0 && c is (byte)'"' or (byte)'\'')
                {
                    quote = c;
                    read++;
                }
                else
                {
                    b[write++] = c;
                    read++;
                }
            }

            arguments.Add(new ReadOnlySequence<byte>(b, start, write - start));
        }
    }

    private static byte Peek(byte[] b, int index, int length) => index < length ? b[index] : (byte)0;

    /// <summary>C's <c>isspace</c> in the "C" locale.</summary>
    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
