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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScatteredDeletes_AreCompacted_UnlessTurnedOff(bool compaction)
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { AutomaticCompaction = compaction });
        using RawClient client = server.Connect();
        Assert.Equal(compaction ? "yes" : "no", client.Call("CONFIG", "GET", "activedefrag").Items![1].Text);
        string value = new('v', 1000);
        const int Keys = 40_000;
        for (int i = 0; i < Keys; i += 100)
        {
            client.Call(["MSET", .. Enumerable.Range(i, 100).SelectMany(j => new[] { $"k:{j}", value })]);
        }

        for (int i = 0; i < Keys; i += 100)
        {
            Assert.Equal(90, client.Call(["DEL", .. Enumerable.Range(i, 100).Where(j => j % 10 != 0).Select(j => $"k:{j}")]).Integer);
        }

        // Every span still holds about a tenth of its blocks: only moving them empties spans.
        double Spread()
        {
            string info = client.Call("INFO", "memory").Text!;
            return (double)EvictionTests.Field(info, "heap_small_span") / EvictionTests.Field(info, "heap_small_used");
        }

        Assert.Equal(compaction ? 1 : 0, EvictionTests.Field(client.Call("INFO", "memory").Text!, "active_defrag_enabled"));
        if (compaction)
        {
            // From about 8x down to what the store's trigger leaves: it stops once packing would free under 4 MiB.
            await TestServer.WaitUntilAsync(() => Spread() <= 2, "the store's compaction packs the spans to at most 2x the bytes in use");
        }
        else
        {
            await Task.Delay(1000);
            Assert.True(Spread() > 4, $"without compaction the spans stay sparse ({Spread():F2}x)");
        }

        Assert.Equal(Keys / 10, client.Call("DBSIZE").Integer);
        Assert.Equal(value, client.Call("GET", "k:39990").Text);
    }
}
