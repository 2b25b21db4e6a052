using NativeMap.CacheServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>StackExchange.Redis using the data commands as an application would.</summary>
public class StackExchangeRedisDataTests
{
    [Fact]
    public async Task Strings_Keys_Expiry_ThroughTheClient()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using ConnectionMultiplexer redis = await Clients.ConnectAsync(server);
        IDatabase db = redis.GetDatabase();

        Assert.True(await db.StringSetAsync("greeting", "hello"));
        Assert.Equal("hello", (string?)await db.StringGetAsync("greeting"));
        Assert.False(await db.StringSetAsync("greeting", "again", when: When.NotExists));
        Assert.True(await db.StringSetAsync("session", "data", TimeSpan.FromMinutes(5)));
        TimeSpan? ttl = await db.KeyTimeToLiveAsync("session");
        Assert.InRange(ttl!.Value.TotalSeconds, 290, 300);
        Assert.True(await db.KeyPersistAsync("session"));
        Assert.Null(await db.KeyTimeToLiveAsync("session"));
        Assert.True(await db.KeyExpireAsync("session", TimeSpan.FromSeconds(30)));

        Assert.Equal(5, await db.StringIncrementAsync("counter", 5));
        Assert.Equal(3, await db.StringDecrementAsync("counter", 2));
        Assert.Equal(8, await db.StringAppendAsync("log", "12345678"));
        Assert.Equal(8, await db.StringLengthAsync("log"));
        Assert.Equal("hello", (string?)await db.StringGetDeleteAsync("greeting"));
        Assert.False(await db.KeyExistsAsync("greeting"));

        KeyValuePair<RedisKey, RedisValue>[] pairs = [.. Enumerable.Range(0, 100).Select(i => new KeyValuePair<RedisKey, RedisValue>($"batch:{i}", i))];
        Assert.True(await db.StringSetAsync(pairs));
        RedisValue[] values = await db.StringGetAsync([.. pairs.Select(p => p.Key)]);
        Assert.Equal(Enumerable.Range(0, 100), values.Select(v => (int)v));
        Assert.Equal(100, await db.KeyDeleteAsync([.. pairs.Take(100).Select(p => p.Key)]));

        IServer admin = redis.GetServer(server.EndPoint);
        for (int i = 0; i < 500; i++)
        {
            await db.StringSetAsync($"scan:{i}", i, flags: CommandFlags.FireAndForget);
        }

        Assert.Equal(500, admin.Keys(pattern: "scan:*", pageSize: 50).Count());
        Assert.True(await admin.DatabaseSizeAsync() >= 500);
        await admin.FlushDatabaseAsync();
        Assert.Equal(0, await admin.DatabaseSizeAsync());
    }

    [Fact]
    public async Task ManyConcurrentOperations_ThroughOneMultiplexer()
    {
        await using TestServer server = await TestServer.StartAsync();
        await using ConnectionMultiplexer redis = await Clients.ConnectAsync(server);
        IDatabase db = redis.GetDatabase();
        Task<bool>[] sets = [.. Enumerable.Range(0, 5000).Select(i => db.StringSetAsync($"k:{i}", $"value-{i}"))];
        Assert.All(await Task.WhenAll(sets), Assert.True);
        Task<RedisValue>[] gets = [.. Enumerable.Range(0, 5000).Select(i => db.StringGetAsync($"k:{i}"))];
        RedisValue[] got = await Task.WhenAll(gets);
        for (int i = 0; i < got.Length; i++)
        {
            Assert.Equal($"value-{i}", (string?)got[i]);
        }
    }
}
