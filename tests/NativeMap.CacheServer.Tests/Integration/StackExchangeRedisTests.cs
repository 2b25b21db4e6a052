using NativeMap.CacheServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>StackExchange.Redis, a real client, connects and talks to the server as it would to Redis.</summary>
public class StackExchangeRedisTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Connect_HandshakeSucceeds_AndPingEchoWork()
    {
        await using TestServer server = await TestServer.StartAsync();
        var log = new StringWriter();
        await using ConnectionMultiplexer redis = await Clients.ConnectAsync(server, log);
        output.WriteLine(log.ToString());
        Assert.True(redis.IsConnected, log.ToString());
        IDatabase db = redis.GetDatabase();
        TimeSpan latency = await db.PingAsync();
        Assert.True(latency >= TimeSpan.Zero);
        Assert.Equal("hi", (string?)await db.ExecuteAsync("ECHO", "hi"));
        IServer admin = redis.GetServer(server.EndPoint);
        Assert.Equal("tests", (string?)await db.ExecuteAsync("CLIENT", "GETNAME"));
        Assert.Contains(admin.Info("server").SelectMany(g => g), p => p.Key == "redis_version");
    }

    [Fact]
    public async Task Connect_WithPassword()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { RequirePass = "pw" });
        await using ConnectionMultiplexer redis = await Clients.ConnectAsync(server, password: "pw");
        Assert.Equal("x", (string?)await redis.GetDatabase().ExecuteAsync("ECHO", "x"));
    }
}
