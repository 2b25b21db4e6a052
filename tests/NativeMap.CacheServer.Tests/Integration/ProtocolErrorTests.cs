using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>Bad input over a raw socket: Redis's error texts, the connection closed after a protocol error, nothing
/// reserved for what a client only announced, and other clients unaffected.</summary>
public class ProtocolErrorTests
{
    [Theory]
    [InlineData("*x\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*2147483648\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'")]
    [InlineData("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*2\r\n$4\r\nECHO\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("echo \"unterminated\r\n", "ERR Protocol error: unbalanced quotes in request")]
    public async Task MalformedRequest_RepliesProtocolErrorThenCloses(string input, string error)
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Send(input);
        RespValue reply = client.Read();
        Assert.Equal(RespKind.Error, reply.Kind);
        Assert.Equal(error, reply.Text);
        Assert.True(client.WaitForClose(), "the server should close the connection after a protocol error");
        Assert.Contains("protocol error", server.Log);
    }

    [Fact]
    public async Task MalformedRequestAfterGoodOnes_AnswersTheGoodOnesFirst()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Send("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n!\r\nPING\r\n");
        Assert.Equal("PONG", client.Read().Text);
        Assert.Equal("hi", client.Read().Text);
        Assert.Equal("ERR Protocol error: expected '$', got '!'", client.Read().Text);
        Assert.True(client.WaitForClose());
    }

    [Fact]
    public async Task BulkOverMaxBulk_IsRefusedAtItsHeaderBeforeTheDataIsSent()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxBulkBytes = 1 << 20 });
        using RawClient client = server.Connect();
        client.Send("*2\r\n$4\r\nECHO\r\n$1048577\r\n"); // the header alone: the refusal must not wait for the data
        Assert.Equal("ERR Protocol error: invalid bulk length", client.Read().Text);
        Assert.True(client.WaitForClose());

        using RawClient other = server.Connect();
        Assert.Equal(new string('x', 1 << 20), other.Call("ECHO", new string('x', 1 << 20)).Text);
    }

    [Fact]
    public async Task AnnouncedButUnsentBulk_ReservesNothing()
    {
        // A client announces a 400 MB argument and sends 64 KiB of it. Nothing may be allocated for the announced
        // size: the server buffers what arrived, nothing more.
        byte[] request = [.. "*2\r\n$4\r\nECHO\r\n$400000000\r\n"u8, .. new byte[64 * 1024]];
        await AssertReservesNothingAsync(request, "announcing a 400 MB bulk");
    }

    [Fact]
    public async Task HugeArgumentCount_ReservesNothing()
    {
        await AssertReservesNothingAsync("*2147483647\r\n$4\r\nMSET\r\n$1\r\nk\r\n$1\r\nv\r\n"u8.ToArray(), "announcing 2^31 - 1 arguments");
    }

    /// <summary>Sends an incomplete request and checks that the process allocated far less than it announced.</summary>
    private static async Task AssertReservesNothingAsync(byte[] request, string what)
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        client.Send(request);
        await TestServer.WaitUntilAsync(() => InputBytes(server) >= request.Length, "the server has read the bytes sent");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 32L << 20, $"{allocated:N0} bytes allocated after {what}");
    }

    [Fact]
    public async Task DisconnectMidRequest_CostsNothingAndOthersCarryOn()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient survivor = server.Connect();
        Assert.Equal("PONG", survivor.Call("PING").Text);
        for (int i = 0; i < 20; i++)
        {
            using RawClient quitter = server.Connect();
            quitter.Send(i % 2 == 0 ? "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nabc" : "*3\r\n$3\r\nSE");
        }

        await TestServer.WaitUntilAsync(() => server.Server.ClientCount == 1, "the half-sent clients are gone");
        Assert.Equal("still here", survivor.Call("ECHO", "still here").Text);
        Assert.DoesNotContain("failed", server.Log);
    }

    [Fact]
    public async Task UnknownCommandAndWrongArity_AreAnsweredAndTheConnectionStaysOpen()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b c' ", client.Call("NOSUCH", "a", "b c").Text);
        Assert.Equal("ERR unknown command 'x', with args beginning with: ", client.Call("x").Text);
        Assert.Equal("ERR wrong number of arguments for 'echo' command", client.Call("ECHO").Text);
        Assert.Equal("ERR wrong number of arguments for 'ping' command", client.Call("PING", "a", "b").Text);
        Assert.Equal("ERR wrong number of arguments for 'config|get' command", client.Call("CONFIG", "GET").Text);
        Assert.Equal("ERR wrong number of arguments for 'config' command", client.Call("CONFIG").Text);
        Assert.Equal("ERR unknown subcommand 'nope'. Try CONFIG HELP.", client.Call("config", "nope").Text);
        Assert.Equal("PONG", client.Call("PING").Text);
    }

    [Fact]
    public async Task UnknownCommand_QuotesAtMost128BytesOfArguments()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        string reply = client.Call("nosuch", new string('a', 100), new string('b', 100), "c").Text!;
        Assert.Equal($"ERR unknown command 'nosuch', with args beginning with: '{new string('a', 100)}' '{new string('b', 25)}' ", reply);
    }

    private static long InputBytes(TestServer server) => server.Server.Context.Clients.Totals().NetInputBytes;
}
