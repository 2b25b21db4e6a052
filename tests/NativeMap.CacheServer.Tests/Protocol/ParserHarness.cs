using System.Buffers;
using System.Text;
using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Protocol;

/// <summary>
/// Drives a <see cref="RequestParser"/> exactly as <c>ClientConnection</c> does: each "read" exposes the input from
/// the first unconsumed byte to the end of the next segment; whole requests are sliced off; the parser is not called
/// again until the buffer holds <see cref="RequestParser.BytesNeeded"/> bytes.
/// </summary>
internal sealed class ParserHarness
{
    public const long DefaultMaxBulk = 512L * 1024 * 1024;

    public List<string[]> Requests { get; } = [];

    public string? Error { get; private set; }

    /// <summary>Calls to <see cref="RequestParser.Parse"/>, to check that waiting for a large bulk costs no rescans.</summary>
    public int ParseCalls { get; private set; }

    /// <summary>Bytes left unconsumed at the end (a request still incomplete).</summary>
    public long Unconsumed { get; private set; }

    public static ParserHarness Run(byte[] input, IEnumerable<int> cuts, bool authenticated = true, long maxBulk = DefaultMaxBulk)
    {
        var harness = new ParserHarness();
        harness.Feed(new SegmentedInput(input, cuts), authenticated, maxBulk);
        return harness;
    }

    public static ParserHarness Run(string input, IEnumerable<int>? cuts = null, bool authenticated = true, long maxBulk = DefaultMaxBulk) =>
        Run(Encoding.Latin1.GetBytes(input), cuts ?? [], authenticated, maxBulk);

    private void Feed(SegmentedInput input, bool authenticated, long maxBulk)
    {
        var arguments = new CommandArguments();
        var parser = new RequestParser(arguments);
        SequencePosition? consumed = null;
        for (int read = 0; read < input.SegmentCount; read++)
        {
            ReadOnlySequence<byte> buffer = input.Through(read, consumed);
            while (buffer.Length >= parser.BytesNeeded)
            {
                ParseCalls++;
                ParseStatus status = parser.Parse(buffer, maxBulk, authenticated, out SequencePosition end);
                if (status == ParseStatus.Error)
                {
                    Error = parser.Error;
                    return;
                }

                if (status == ParseStatus.Incomplete)
                {
                    break;
                }

                var request = new string[arguments.Count];
                for (int i = 0; i < arguments.Count; i++)
                {
                    request[i] = Encoding.Latin1.GetString(arguments[i].ToArray());
                }

                if (request.Length > 0)
                {
                    Requests.Add(request);
                }

                buffer = buffer.Slice(end);
                consumed = end;
            }

            Unconsumed = buffer.Length;
        }
    }
}
