using System.Globalization;
using System.Text.RegularExpressions;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>maxmemory and its policies: eviction keeps used memory at the limit, noeviction refuses writes with
/// Redis's OOM error, and the LRU approximation keeps what is read.</summary>
public partial class EvictionTests
{
    private const long Limit = 4L << 20;
    private static readonly string s_value = new('v', 1000);

    [Fact]
    public async Task AllKeysLru_HoldsUsedMemoryAtTheLimit_AndKeepsWhatIsRead()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemory = Limit, MaxMemoryPolicy = EvictionPolicy.AllKeysLru, MaxMemoryIncludesProcess = false });
        using RawClient client = server.Connect();
        // 100 hot keys, read after every batch of writes; 20,000 cold keys (~20 MB) written once.
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal("OK", client.Call("SET", $"hot:{i}", s_value).Text);
        }

        for (int batch = 0; batch < 200; batch++)
        {
            var pipeline = new List<byte>();
            for (int i = 0; i < 100; i++)
            {
                pipeline.AddRange(RawClient.Encode("SET", $"cold:{(batch * 100) + i}", s_value));
            }

            for (int i = 0; i < 100; i++)
            {
                pipeline.AddRange(RawClient.Encode("GET", $"hot:{i}"));
            }

            client.Send(pipeline.ToArray());
            for (int i = 0; i < 200; i++)
            {
                Assert.NotEqual(RespKind.Error, client.Read().Kind);
            }
        }

        string info = client.Call("INFO").Text!;
        long used = Field(info, "used_memory");
        long evicted = Field(info, "evicted_keys");
        long keys = client.Call("DBSIZE").Integer;
        Assert.True(used <= Limit * 17 / 16, $"used_memory {used:N0} over the limit {Limit:N0}");
        Assert.True(evicted > 10_000, $"{evicted} evicted");
        Assert.InRange(keys, 1000, 6000);
        int hotLeft = Enumerable.Range(0, 100).Count(i => !client.Call("GET", $"hot:{i}").IsNull);
        Assert.True(hotLeft >= 95, $"only {hotLeft} of the 100 keys read all along survived (LRU should keep them)");
    }

    [Fact]
    public async Task NoEviction_RefusesWritesOverTheLimit_ReadsAndDeletesStillWork()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemory = Limit, MaxMemoryIncludesProcess = false });
        using RawClient client = server.Connect();
        Assert.Equal("OOM command not allowed when used memory > 'maxmemory'.", WriteUntilRefused(client, "k").Text);
        Assert.Equal("OOM command not allowed when used memory > 'maxmemory'.", client.Call("APPEND", "k:0", "x").Text);
        Assert.Equal(s_value, client.Call("GET", "k:0").Text);
        Assert.Equal(1, client.Call("DEL", "k:0").Integer);
        Assert.Equal(0, Field(client.Call("INFO", "stats").Text!, "evicted_keys"));

        // Raising the limit lets writes through again.
        Assert.Equal("OK", client.Call("CONFIG", "SET", "maxmemory", "0").Text);
        Assert.Equal("OK", client.Call("SET", "after", "v").Text);
    }

    [Fact]
    public async Task VolatileTtl_EvictsNearestDeadlineFirst_AndRefusesWhenNothingIsVolatile()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemory = Limit, MaxMemoryPolicy = EvictionPolicy.VolatileTtl, MaxMemoryIncludesProcess = false });
        using RawClient client = server.Connect();
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal("OK", client.Call("SET", $"keep:{i}", s_value).Text);
        }

        for (int i = 0; i < 10_000; i++)
        {
            RespValue reply = client.Call("SET", $"ttl:{i}", s_value, "EX", (100_000 + i).ToString(CultureInfo.InvariantCulture));
            Assert.Equal("OK", reply.Text);
        }

        Assert.Equal(1000, Enumerable.Range(0, 1000).Count(i => !client.Call("GET", $"keep:{i}").IsNull));
        Assert.True(client.Call("GET", "ttl:0").IsNull, "the nearest deadline should have gone first");
        Assert.False(client.Call("GET", "ttl:9999").IsNull, "the latest deadline should have stayed");

        // Only keys without a TTL are left: nothing may be evicted, so writes are refused.
        Assert.Equal("OOM command not allowed when used memory > 'maxmemory'.", WriteUntilRefused(client, "more").Text);
    }

    [Fact]
    public async Task ConfigSetMaxMemory_Lowered_EvictsOnTheNextWrite()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemoryPolicy = EvictionPolicy.AllKeysRandom, MaxMemoryIncludesProcess = false });
        using RawClient client = server.Connect();
        for (int i = 0; i < 10_000; i++)
        {
            client.Call("SET", $"k:{i}", s_value);
        }

        Assert.Equal("OK", client.Call("CONFIG", "SET", "maxmemory", "2mb").Text);
        Assert.Equal("OK", client.Call("SET", "trigger", "v").Text);
        Assert.True(Field(client.Call("INFO", "memory").Text!, "used_memory") <= (2L << 20) * 17 / 16);
        Assert.True(client.Call("DBSIZE").Integer < 3000);
    }

    [Fact]
    public async Task MaxMemory_BoundsTheProcess_TheStoreGetsWhatTheRuntimeLeaves()
    {
        const long maxMemory = 4L << 30; // above this test process's RSS, so the split is maxmemory - overhead
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxMemory = maxMemory, MaxMemoryPolicy = EvictionPolicy.AllKeysLru });
        using RawClient client = server.Connect();
        string info = client.Call("INFO", "memory").Text!;
        long storeLimit = Field(info, "maxmemory_store");
        long overhead = Field(info, "process_overhead");
        Assert.Equal(maxMemory, Field(info, "maxmemory"));
        Assert.True(overhead > 10 << 20, $"process overhead {overhead:N0}: the runtime alone holds more");
        Assert.Equal(maxMemory - overhead, storeLimit);
        Assert.InRange(server.Server.Context.Store.MemoryLimit, maxMemory - (1L << 30), maxMemory - (10 << 20));

        // A maxmemory smaller than the runtime leaves the store a quarter of it.
        Assert.Equal("OK", client.Call("CONFIG", "SET", "maxmemory", "8mb").Text);
        Assert.Equal(2L << 20, Field(client.Call("INFO", "memory").Text!, "maxmemory_store"));
        Assert.Equal(2L << 20, server.Server.Context.Store.MemoryLimit);
    }

    /// <summary>SETs new keys until the server answers an error; returns that error.</summary>
    private static RespValue WriteUntilRefused(RawClient client, string prefix)
    {
        for (int i = 0; i < 100_000; i++)
        {
            RespValue reply = client.Call("SET", $"{prefix}:{i}", s_value);
            if (reply.Kind == RespKind.Error)
            {
                return reply;
            }
        }

        throw new Xunit.Sdk.XunitException("100,000 writes were never refused");
    }

    internal static long Field(string info, string name) =>
        long.Parse(Regex.Match(info, $@"(?m)^{Regex.Escape(name)}:(\d+)\r$").Groups[1].Value, CultureInfo.InvariantCulture);
}
