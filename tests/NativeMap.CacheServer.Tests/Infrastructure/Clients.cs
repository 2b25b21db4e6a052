using StackExchange.Redis;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>StackExchange.Redis connected to a test server the way an application would connect to Redis.</summary>
public static class Clients
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(TestServer server, TextWriter? log = null, string? password = null)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { server.EndPoint },
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
            Password = password,
            ClientName = "tests",
            AllowAdmin = true,
        };
        return await ConnectionMultiplexer.ConnectAsync(options, log);
    }
}
