using System.Text;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>The string commands over a raw socket, replies and error texts as redis-server 7.0.15 gives them.</summary>
public class StringCommandTests
{
    [Fact]
    public async Task GetSet_RoundTripBinaryValues()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.True(client.Call("GET", "k").IsNull);
        Assert.Equal("OK", client.Call("SET", "k", "v").Text);
        Assert.Equal("v", client.Call("GET", "k").Text);
        string binary = new([.. Enumerable.Range(0, 256).Select(i => (char)i)]);
        Assert.Equal("OK", client.Call("SET", binary, binary + "\r\n").Text);
        Assert.Equal(binary + "\r\n", client.Call("GET", binary).Text);
        Assert.Equal("OK", client.Call("SET", "empty", "").Text);
        Assert.Equal("", client.Call("GET", "empty").Text);
        Assert.Equal(RespKind.Bulk, client.Call("GET", "empty").Kind);
    }

    [Fact]
    public async Task Set_LargeValueArrivingInManyReads_IsStoredWhole()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        var random = new Random(7);
        byte[] value = new byte[3 * 1024 * 1024 + 17];
        random.NextBytes(value);
        string text = Encoding.Latin1.GetString(value);
        byte[] request = RawClient.Encode("SET", "big", text);
        for (int i = 0; i < request.Length; i += 50_000)
        {
            client.Send(request.AsSpan(i, Math.Min(50_000, request.Length - i)));
        }

        Assert.Equal("OK", client.Read().Text);
        Assert.Equal(value, client.Call("GET", "big").Bytes);
        Assert.Equal(value.Length, client.Call("STRLEN", "big").Integer);
    }

    [Fact]
    public async Task Set_Options_FollowRedis()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal("OK", client.Call("SET", "k", "v").Text);
        Assert.True(client.Call("SET", "k", "w", "NX").IsNull);
        Assert.Equal("v", client.Call("GET", "k").Text);
        Assert.Equal("OK", client.Call("SET", "k", "w", "XX").Text);
        Assert.True(client.Call("SET", "absent", "w", "XX").IsNull);
        Assert.True(client.Call("GET", "absent").IsNull);
        Assert.Equal("OK", client.Call("SET", "n", "1", "nx").Text);

        Assert.Equal("w", client.Call("SET", "k", "x", "GET").Text);
        Assert.True(client.Call("SET", "fresh", "x", "GET").IsNull);
        Assert.Equal("x", client.Call("GET", "fresh").Text);
        Assert.Equal("x", client.Call("SET", "k", "y", "NX", "GET").Text); // exists: not set, old value returned
        Assert.Equal("x", client.Call("GET", "k").Text);
        Assert.True(client.Call("SET", "absent2", "y", "XX", "GET").IsNull);

        Assert.Equal("OK", client.Call("SET", "t", "v", "EX", "100").Text);
        Assert.InRange(client.Call("TTL", "t").Integer, 99, 100);
        Assert.Equal("OK", client.Call("SET", "t", "v", "PX", "100000").Text);
        Assert.InRange(client.Call("PTTL", "t").Integer, 99_000, 100_000);
        Assert.Equal("OK", client.Call("SET", "t", "v2", "KEEPTTL").Text);
        Assert.InRange(client.Call("PTTL", "t").Integer, 1, 100_000);
        Assert.Equal("OK", client.Call("SET", "t", "v3").Text);
        Assert.Equal(-1, client.Call("TTL", "t").Integer); // a plain SET drops the TTL
        long future = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1000;
        Assert.Equal("OK", client.Call("SET", "t", "v", "EXAT", future.ToString(System.Globalization.CultureInfo.InvariantCulture)).Text);
        Assert.InRange(client.Call("TTL", "t").Integer, 990, 1000);
        Assert.Equal("OK", client.Call("SET", "t", "v", "PXAT", (future * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)).Text);
        Assert.InRange(client.Call("TTL", "t").Integer, 990, 1000);
    }

    [Theory]
    [InlineData("ERR invalid expire time in 'set' command", "EX", "0")]
    [InlineData("ERR invalid expire time in 'set' command", "EX", "-1")]
    [InlineData("ERR invalid expire time in 'set' command", "PX", "0")]
    [InlineData("ERR invalid expire time in 'set' command", "EX", "9999999999999999")]
    [InlineData("ERR value is not an integer or out of range", "EX", "abc")]
    [InlineData("ERR syntax error", "EX", "10", "PX", "100")]
    [InlineData("ERR syntax error", "NX", "XX")]
    [InlineData("ERR syntax error", "KEEPTTL", "EX", "10")]
    [InlineData("ERR syntax error", "EX", "10", "KEEPTTL")]
    [InlineData("ERR syntax error", "bogus")]
    [InlineData("ERR syntax error", "EX")]
    public async Task Set_BadOptions_AreRedisErrors(string error, params string[] options)
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal(error, client.Call(["SET", "k", "v", .. options]).Text);
        Assert.True(client.Call("GET", "k").IsNull, "a refused SET stores nothing");
    }

    [Fact]
    public async Task GetDel_ReturnsAndRemoves()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Call("SET", "k", "v");
        Assert.Equal("v", client.Call("GETDEL", "k").Text);
        Assert.True(client.Call("GETDEL", "k").IsNull);
        Assert.Equal(0, client.Call("EXISTS", "k").Integer);
    }

    [Fact]
    public async Task MGetMSet_InKeyOrder()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal("OK", client.Call("MSET", "a", "1", "b", "2", "a", "3").Text);
        RespValue values = client.Call("MGET", "a", "b", "c", "a");
        Assert.Equal(["3", "2", null, "3"], values.Items!.Select(v => v.Text));
        Assert.Equal("ERR wrong number of arguments for 'mset' command", client.Call("MSET", "a", "1", "b").Text);
        Assert.Equal(0, client.Call("MSETNX", "a", "9", "z", "9").Integer);
        Assert.True(client.Call("GET", "z").IsNull);
        Assert.Equal(1, client.Call("MSETNX", "y", "9", "z", "9").Integer);
        Assert.Equal("9", client.Call("GET", "z").Text);
        client.Call("SET", "t", "v", "EX", "100");
        client.Call("MSET", "t", "w");
        Assert.Equal(-1, client.Call("TTL", "t").Integer);
    }

    [Fact]
    public async Task AppendStrLen()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal(0, client.Call("STRLEN", "x").Integer);
        Assert.Equal(2, client.Call("APPEND", "x", "ab").Integer);
        Assert.Equal(4, client.Call("APPEND", "x", "cd").Integer);
        Assert.Equal("abcd", client.Call("GET", "x").Text);
        Assert.Equal(4, client.Call("STRLEN", "x").Integer);
        client.Call("EXPIRE", "x", "100");
        client.Call("APPEND", "x", "e");
        Assert.InRange(client.Call("TTL", "x").Integer, 1, 100); // APPEND keeps the TTL
    }

    [Fact]
    public async Task Increments_FollowRedis()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal(1, client.Call("INCR", "n").Integer);
        Assert.Equal(11, client.Call("INCRBY", "n", "10").Integer);
        Assert.Equal(10, client.Call("DECR", "n").Integer);
        Assert.Equal(-5, client.Call("DECRBY", "n", "15").Integer);
        Assert.Equal("-5", client.Call("GET", "n").Text);
        Assert.Equal("ERR value is not an integer or out of range", client.Call("INCRBY", "n", "x").Text);
        Assert.Equal("ERR value is not an integer or out of range", client.Call("INCRBY", "n", "1.5").Text);
        client.Call("SET", "max", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ERR increment or decrement would overflow", client.Call("INCR", "max").Text);
        Assert.Equal("ERR decrement would overflow", client.Call("DECRBY", "n", long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture)).Text);
        foreach (string notInteger in new[] { "abc", " 1", "1 ", "01", "99999999999999999999", "" })
        {
            client.Call("SET", "s", notInteger);
            Assert.Equal("ERR value is not an integer or out of range", client.Call("INCR", "s").Text);
            Assert.Equal(notInteger, client.Call("GET", "s").Text);
        }
    }

    [Fact]
    public async Task WrongArity_ForDataCommands()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal("ERR wrong number of arguments for 'get' command", client.Call("GET").Text);
        Assert.Equal("ERR wrong number of arguments for 'get' command", client.Call("GET", "a", "b").Text);
        Assert.Equal("ERR wrong number of arguments for 'set' command", client.Call("SET", "a").Text);
        Assert.Equal("ERR wrong number of arguments for 'mget' command", client.Call("MGET").Text);
        Assert.Equal("ERR wrong number of arguments for 'del' command", client.Call("DEL").Text);
    }
}
