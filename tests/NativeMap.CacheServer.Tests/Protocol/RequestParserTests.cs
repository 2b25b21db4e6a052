using System.Text;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Tests.Protocol;

public class RequestParserTests
{
    private const string Pipeline =
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n" +
        "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n" +
        "PING\r\n" +
        "*0\r\n" +
        "\r\n" +
        "*-1\r\n" +
        "*1\r\n$0\r\n\r\n" +
        "  echo  \"a b\\x41\\n\"   'it' 's'  \n" +
        "*2\r\n$4\r\nECHO\r\n$11\r\nbin\r\n\0ary!!\r\n";

    private static readonly string[][] s_pipelineRequests =
    [
        ["SET", "key", "value"],
        ["GET", "key"],
        ["PING"],
        [""],
        ["echo", "a bA\n", "it", "s"],
        ["ECHO", "bin\r\n\0ary!!"],
    ];

    [Fact]
    public void Parse_PipelineInOneRead_YieldsEveryRequestInOrder()
    {
        ParserHarness run = ParserHarness.Run(Pipeline);
        Assert.Null(run.Error);
        Assert.Equal(s_pipelineRequests, run.Requests);
        Assert.Equal(0, run.Unconsumed);
    }

    [Fact]
    public void Parse_PipelineCutAtEveryByte_YieldsTheSameRequests()
    {
        // Every split point at once: each byte its own read, and each byte its own segment.
        int length = Encoding.Latin1.GetByteCount(Pipeline);
        ParserHarness run = ParserHarness.Run(Pipeline, Enumerable.Range(1, length));
        Assert.Null(run.Error);
        Assert.Equal(s_pipelineRequests, run.Requests);
    }

    [Fact]
    public void Parse_PipelineCutAtEachSinglePoint_YieldsTheSameRequests()
    {
        int length = Encoding.Latin1.GetByteCount(Pipeline);
        for (int cut = 1; cut < length; cut++)
        {
            ParserHarness run = ParserHarness.Run(Pipeline, [cut]);
            Assert.Null(run.Error);
            Assert.Equal(s_pipelineRequests, run.Requests);
        }
    }

    [Fact]
    public void Parse_RandomCuts_YieldTheSameRequests()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int length = Encoding.Latin1.GetByteCount(Pipeline);
        for (int round = 0; round < 200; round++)
        {
            int[] cuts = [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(1, length))];
            ParserHarness run = ParserHarness.Run(Pipeline, cuts);
            Assert.True(run.Error is null && run.Requests.Count == s_pipelineRequests.Length,
                $"seed {seed}, cuts [{string.Join(",", cuts)}]: {run.Error}");
            Assert.Equal(s_pipelineRequests, run.Requests);
        }
    }

    [Fact]
    public void Parse_IncompleteRequest_StaysUnconsumed()
    {
        ParserHarness run = ParserHarness.Run("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhel");
        Assert.Equal([["PING"]], run.Requests);
        Assert.Equal("*2\r\n$4\r\nECHO\r\n$5\r\nhel".Length, run.Unconsumed);
    }

    [Fact]
    public void Parse_LargeBulkArrivingInManyReads_IsParsedOnceItIsComplete()
    {
        // 1 MiB value in 1,024 reads of 1 KiB: after its header the parser knows how many bytes it needs and is not
        // called again until they are there (no rescanning per read).
        const int size = 1 << 20;
        byte[] header = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${size}\r\n");
        byte[] input = [.. header, .. Enumerable.Repeat((byte)'v', size), .. "\r\n"u8];
        int[] cuts = [.. Enumerable.Range(1, input.Length / 1024).Select(i => i * 1024)];
        ParserHarness run = ParserHarness.Run(input, cuts);
        Assert.Null(run.Error);
        Assert.Single(run.Requests);
        Assert.Equal(size, run.Requests[0][2].Length);
        Assert.True(run.ParseCalls <= 4, $"{run.ParseCalls} parse calls");
    }

    [Fact]
    public void Parse_BulkHeader_ReportsTheBytesNeededBeforeAnyDataArrives()
    {
        var arguments = new CommandArguments();
        var parser = new RequestParser(arguments);
        byte[] header = "*2\r\n$4\r\nECHO\r\n$400000000\r\n"u8.ToArray();
        ParseStatus status = parser.Parse(new(header), ParserHarness.DefaultMaxBulk, authenticated: true, out _);
        Assert.Equal(ParseStatus.Incomplete, status);
        Assert.Equal(header.Length + 400_000_000L + 2, parser.BytesNeeded);
        Assert.Equal(1, arguments.Count); // only ECHO so far: nothing is reserved for the announced bulk
    }

    [Theory]
    [InlineData("*x\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*01\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*2147483648\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*99999999999999999999999\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n:1\r\n", "Protocol error: expected '$', got ':'")]
    [InlineData("*1\r\nPING\r\n", "Protocol error: expected '$', got 'P'")]
    [InlineData("*1\r\n$-1\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$abc\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$ 4\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length")]
    [InlineData("set \"a b\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("set \"a\"b\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("set 'a\r\n", "Protocol error: unbalanced quotes in request")]
    public void Parse_Malformed_ReportsRedisError(string input, string error)
    {
        ParserHarness run = ParserHarness.Run(input);
        Assert.Equal(error, run.Error);
    }

    [Fact]
    public void Parse_MalformedAfterGoodRequests_RunsTheGoodOnesFirst()
    {
        ParserHarness run = ParserHarness.Run("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n!oops\r\n");
        Assert.Equal([["PING"], ["PING"]], run.Requests);
        Assert.Equal("Protocol error: expected '$', got '!'", run.Error);
    }

    [Fact]
    public void Parse_BulkOverTheConfiguredMaximum_IsRefusedAtItsHeader()
    {
        ParserHarness run = ParserHarness.Run("*2\r\n$4\r\nECHO\r\n$1048577\r\n", maxBulk: 1 << 20);
        Assert.Equal("Protocol error: invalid bulk length", run.Error);
        ParserHarness atLimit = ParserHarness.Run("*2\r\n$4\r\nECHO\r\n$1048576\r\n", maxBulk: 1 << 20);
        Assert.Null(atLimit.Error);
    }

    [Fact]
    public void Parse_Unauthenticated_LimitsCountAndBulkLength()
    {
        Assert.Equal("Protocol error: unauthenticated multibulk length", ParserHarness.Run("*11\r\n", authenticated: false).Error);
        Assert.Null(ParserHarness.Run("*10\r\n", authenticated: false).Error);
        Assert.Equal("Protocol error: unauthenticated bulk length", ParserHarness.Run("*1\r\n$16385\r\n", authenticated: false).Error);
        Assert.Null(ParserHarness.Run("*1\r\n$16384\r\n", authenticated: false).Error);
        Assert.Null(ParserHarness.Run("*11\r\n$16385\r\n", authenticated: true).Error);
    }

    [Fact]
    public void Parse_CountLineWithoutEndOver64KiB_IsRefused()
    {
        string digits = new('1', RequestParser.InlineMaxBytes + 1);
        Assert.Equal("Protocol error: too big mbulk count string", ParserHarness.Run("*" + digits).Error);
        Assert.Equal("Protocol error: too big bulk count string", ParserHarness.Run("*1\r\n$" + digits).Error);
        Assert.Null(ParserHarness.Run("*" + digits[..1000]).Error); // merely incomplete
    }

    [Fact]
    public void Parse_InlineOver64KiB_IsRefused()
    {
        string longLine = "ECHO " + new string('x', RequestParser.InlineMaxBytes);
        Assert.Equal("Protocol error: too big inline request", ParserHarness.Run(longLine).Error);
        Assert.Equal("Protocol error: too big inline request", ParserHarness.Run(longLine + "\r\n").Error);
        ParserHarness fits = ParserHarness.Run("ECHO " + new string('x', 60_000) + "\r\n");
        Assert.Null(fits.Error);
        Assert.Equal(60_000, fits.Requests[0][1].Length);
    }

    [Fact]
    public void Parse_BulkTerminatorIsSkippedUnchecked_AsRedisDoes()
    {
        ParserHarness run = ParserHarness.Run("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n");
        Assert.Equal([["PING"], ["PING"]], run.Requests);
    }

    [Fact]
    public void Parse_ManyArguments_GrowsSlotsAsTheyArrive()
    {
        var text = new StringBuilder("*5001\r\n$4\r\nMSET\r\n");
        for (int i = 0; i < 5000; i++)
        {
            text.Append("$1\r\nx\r\n");
        }

        string input = text.ToString();
        ParserHarness run = ParserHarness.Run(input, Enumerable.Range(1, input.Length / 100).Select(i => i * 100));
        Assert.Null(run.Error);
        Assert.Equal(5001, run.Requests.Single().Length);
    }
}
