using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>Key commands, expiry on a fake clock, KEYS and SCAN, FLUSHALL.</summary>
public class KeyCommandTests
{
    [Fact]
    public async Task DelUnlinkExists_CountAsRedis()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Call("MSET", "a", "1", "b", "2", "c", "3");
        Assert.Equal(3, client.Call("EXISTS", "a", "a", "b", "nope").Integer);
        Assert.Equal(2, client.Call("DEL", "a", "a", "b", "nope").Integer);
        Assert.Equal(1, client.Call("UNLINK", "c").Integer);
        Assert.Equal(0, client.Call("DBSIZE").Integer);
    }

    [Fact]
    public async Task Expiry_LazyAndActive_OnTheServersClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { TimeProvider = clock });
        using RawClient client = server.Connect();
        Assert.Equal("OK", client.Call("SET", "lazy", "v", "EX", "10").Text);
        for (int i = 0; i < 100; i++)
        {
            client.Call("SET", $"active:{i}", "v", "PX", "5000");
        }

        client.Call("SET", "forever", "v");
        Assert.Equal(10, client.Call("TTL", "lazy").Integer);
        Assert.Equal(10_000, client.Call("PTTL", "lazy").Integer);
        Assert.Equal(-1, client.Call("TTL", "forever").Integer);
        Assert.Equal(-2, client.Call("TTL", "nothing").Integer);
        Assert.Contains("expires=101", client.Call("INFO", "keyspace").Text);

        // The active cycle (a timer on the server's clock) removes the 100 keys nobody touches once their deadline has
        // passed; each step of the fake clock fires it once more.
        clock.Advance(TimeSpan.FromSeconds(6));
        for (int step = 0; step < 40 && client.Call("DBSIZE").Integer != 2; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5);
        }

        Assert.Equal(2, client.Call("DBSIZE").Integer);
        Assert.InRange(client.Call("TTL", "lazy").Integer, 1, 4);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(client.Call("GET", "lazy").IsNull); // lazily, on access, if the cycle has not got there first
        Assert.Equal("v", client.Call("GET", "forever").Text);
        Assert.Matches(@"expired_keys:10[01]\r\n", client.Call("INFO", "stats").Text);
    }

    [Fact]
    public async Task Expire_OptionsAndErrors_FollowRedis()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { TimeProvider = clock });
        using RawClient client = server.Connect();
        client.Call("SET", "k", "v");
        Assert.Equal(0, client.Call("EXPIRE", "nokey", "10").Integer);
        Assert.Equal(0, client.Call("EXPIRE", "k", "10", "XX").Integer);
        Assert.Equal(0, client.Call("EXPIRE", "k", "10", "GT").Integer); // no TTL counts as infinite
        Assert.Equal(1, client.Call("EXPIRE", "k", "100", "NX").Integer);
        Assert.Equal(0, client.Call("EXPIRE", "k", "50", "NX").Integer);
        Assert.Equal(0, client.Call("EXPIRE", "k", "50", "GT").Integer);
        Assert.Equal(1, client.Call("EXPIRE", "k", "200", "GT").Integer);
        Assert.Equal(1, client.Call("EXPIRE", "k", "150", "XX", "LT").Integer);
        Assert.Equal(150, client.Call("TTL", "k").Integer);
        Assert.Equal(1, client.Call("PEXPIRE", "k", "1500").Integer);
        Assert.Equal(1500, client.Call("PTTL", "k").Integer);
        Assert.Equal(2, client.Call("TTL", "k").Integer); // rounded as Redis rounds: (1500 + 500) / 1000
        Assert.Equal(1, client.Call("PERSIST", "k").Integer);
        Assert.Equal(0, client.Call("PERSIST", "k").Integer);
        Assert.Equal(-1, client.Call("TTL", "k").Integer);
        Assert.Equal(0, client.Call("EXPIRE", "k", "10", "XX", "LT").Integer);

        Assert.Equal("ERR NX and XX, GT or LT options at the same time are not compatible", client.Call("EXPIRE", "k", "10", "NX", "XX").Text);
        Assert.Equal("ERR GT and LT options at the same time are not compatible", client.Call("EXPIRE", "k", "10", "GT", "LT").Text);
        Assert.Equal("ERR Unsupported option foo", client.Call("EXPIRE", "k", "10", "foo").Text);
        Assert.Equal("ERR value is not an integer or out of range", client.Call("EXPIRE", "k", "x").Text);
        Assert.Equal("ERR invalid expire time in 'expire' command", client.Call("EXPIRE", "k", long.MaxValue.ToString(CultureInfo.InvariantCulture)).Text);
        Assert.Equal("ERR invalid expire time in 'pexpire' command", client.Call("PEXPIRE", "k", long.MaxValue.ToString(CultureInfo.InvariantCulture)).Text);

        Assert.Equal(1, client.Call("EXPIRE", "k", "-1").Integer); // a time in the past deletes the key
        Assert.Equal(0, client.Call("EXISTS", "k").Integer);
    }

    [Fact]
    public async Task KeysAndScan_FindEveryKeyOnce()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        var all = new HashSet<string>();
        for (int i = 0; i < 2000; i += 50)
        {
            var batch = new List<string> { "MSET" };
            for (int j = i; j < i + 50; j++)
            {
                string key = j % 2 == 0 ? $"user:{j}" : $"item:{j}";
                all.Add(key);
                batch.AddRange([key, "v"]);
            }

            Assert.Equal("OK", client.Call([.. batch]).Text);
        }

        Assert.Equal(all.Where(k => k.StartsWith("user:", StringComparison.Ordinal)).Order(),
            client.Call("KEYS", "user:*").Items!.Select(i => i.Text!).Order());
        Assert.Equal(["user:42"], client.Call("KEYS", "user:42").Items!.Select(i => i.Text!));
        Assert.Empty(client.Call("KEYS", "user:4242").Items!);
        Assert.Equal(2000, client.Call("KEYS", "*").Items!.Count);

        var scanned = new List<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            RespValue page = client.Call("SCAN", cursor, "COUNT", "100");
            cursor = page.Items![0].Text!;
            scanned.AddRange(page.Items[1].Items!.Select(i => i.Text!));
            calls++;
        }
        while (cursor != "0");

        Assert.True(calls > 2, $"{calls} calls");
        Assert.Equal(all.Order(), scanned.Distinct().Order());

        var matched = new List<string>();
        cursor = "0";
        do
        {
            RespValue page = client.Call("SCAN", cursor, "MATCH", "item:1??", "TYPE", "string");
            cursor = page.Items![0].Text!;
            matched.AddRange(page.Items[1].Items!.Select(i => i.Text!));
        }
        while (cursor != "0");

        Assert.Equal(all.Where(k => k.StartsWith("item:1", StringComparison.Ordinal) && k.Length == 8).Order(), matched.Distinct().Order());
        Assert.Empty(client.Call("SCAN", "0", "TYPE", "hash", "COUNT", "10000").Items![1].Items!);

        Assert.Equal("ERR invalid cursor", client.Call("SCAN", "x").Text);
        Assert.Equal("ERR syntax error", client.Call("SCAN", "0", "COUNT", "0").Text);
        Assert.Equal("ERR value is not an integer or out of range", client.Call("SCAN", "0", "COUNT", "x").Text);
        Assert.Equal("ERR syntax error", client.Call("SCAN", "0", "bogus", "1").Text);
    }

    [Fact]
    public async Task FlushAll_SyncAsyncAndFlushDb()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        foreach (string[] flush in new[] { new[] { "FLUSHALL" }, ["FLUSHALL", "ASYNC"], ["flushdb", "sync"], ["FLUSHDB", "async"] })
        {
            client.Call("MSET", "a", "1", "b", "2");
            Assert.Equal(2, client.Call("DBSIZE").Integer);
            Assert.Equal("OK", client.Call(flush).Text);
            Assert.Equal(0, client.Call("DBSIZE").Integer);
            Assert.True(client.Call("GET", "a").IsNull);
        }

        Assert.Equal("ERR syntax error", client.Call("FLUSHALL", "bogus").Text);
        Assert.Equal("ERR syntax error", client.Call("FLUSHALL", "ASYNC", "SYNC").Text);
        await TestServer.WaitUntilAsync(() => server.Server.Context.Store.UsedBytes < 1 << 20, "the detached contents were freed");
    }
}
