using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>MEMORY USAGE / STATS / PURGE and INFO memory.</summary>
public class MemoryCommandTests
{
    [Fact]
    public async Task Usage_ReportsTheEntrysBytes()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Call("SET", "small", "v");
        client.Call("SET", "large", new string('x', 10_000));
        long small = client.Call("MEMORY", "USAGE", "small").Integer;
        long large = client.Call("MEMORY", "USAGE", "large").Integer;
        Assert.InRange(small, 8, 200);
        Assert.InRange(large, 10_000, 12_000);
        Assert.True(client.Call("MEMORY", "USAGE", "none").IsNull);
        Assert.Equal(small, client.Call("MEMORY", "USAGE", "small", "SAMPLES", "5").Integer);
        Assert.Equal("ERR syntax error", client.Call("MEMORY", "USAGE", "small", "foo", "1").Text);
        Assert.Equal("ERR unknown subcommand 'foo'. Try MEMORY HELP.", client.Call("MEMORY", "foo").Text);
    }

    [Fact]
    public async Task Purge_ReturnsIdlePagesToTheOsNow()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { ScavengeDecay = TimeSpan.FromHours(1) });
        using RawClient client = server.Connect();
        string value = new('v', 1000);
        for (int i = 0; i < 20_000; i += 100)
        {
            client.Call(["MSET", .. Enumerable.Range(i, 100).SelectMany(j => new[] { $"k:{j}", value })]);
        }

        Assert.Equal("OK", client.Call("FLUSHALL").Text);
        string before = client.Call("INFO", "memory").Text!;
        Assert.True(EvictionTests.Field(before, "heap_idle") > 10 << 20, "the freed pages stay warm within the decay");
        Assert.Equal("OK", client.Call("MEMORY", "PURGE").Text);
        string after = client.Call("INFO", "memory").Text!;
        Assert.Equal(0, EvictionTests.Field(after, "heap_idle"));
        Assert.True(EvictionTests.Field(after, "heap_released") >= EvictionTests.Field(before, "heap_idle"));
    }

    [Fact]
    public async Task Stats_AndInfoMemory_DescribeTheStore()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemory = 64L << 20 });
        using RawClient client = server.Connect();
        client.Call("SET", "k", new string('x', 5000));
        RespValue stats = client.Call("MEMORY", "STATS");
        var fields = new Dictionary<string, RespValue>();
        for (int i = 0; i < stats.Items!.Count; i += 2)
        {
            fields[stats.Items[i].Text!] = stats.Items[i + 1];
        }

        Assert.Equal(1, fields["keys.count"].Integer);
        Assert.True(fields["dataset.bytes"].Integer >= 5001);
        Assert.True(fields["total.allocated"].Integer >= 5001);
        Assert.True(fields["heap.in-use"].Integer >= 8192);
        string info = client.Call("INFO", "memory").Text!;
        Assert.Equal(64L << 20, EvictionTests.Field(info, "maxmemory"));
        Assert.Contains("maxmemory_policy:noeviction\r\n", info);
        Assert.True(EvictionTests.Field(info, "used_memory") >= 5001);
        Assert.True(EvictionTests.Field(info, "used_memory_rss") > EvictionTests.Field(info, "used_memory"));
        Assert.Contains("keyspace_hits:", client.Call("INFO", "stats").Text);
    }
}
