using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// <see cref="HybridCache"/> with the cache under test as its second level (L2): what one HybridCache writes, another
/// (a fresh L1, as in another process) reads back through L2 without running its factory; removal and expiration
/// reach L2; with the local cache disabled every read goes through L2.
/// </summary>
public abstract partial class DistributedCacheConformanceTests
{
    public sealed record Product(int Id, string Name, decimal Price);

    /// <summary>A HybridCache over <paramref name="l2"/> on this test's clock, with an L1 of its own.</summary>
    private ServiceProvider HybridOver(IDistributedCache l2)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(l2); // an instance registration: the container does not dispose it
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task HybridCache_GetOrCreate_RoundTripsThroughL2()
    {
        IDistributedCache l2 = AsHybridL2(Cache);
        int factoryCalls = 0;
        ValueTask<Product> Factory(CancellationToken _)
        {
            factoryCalls++;
            return new(new Product(42, "widget", 9.95m));
        }

        await using (ServiceProvider first = HybridOver(l2))
        {
            Product created = await first.GetRequiredService<HybridCache>().GetOrCreateAsync("product:42", Factory);
            Assert.Equal(new Product(42, "widget", 9.95m), created);
        }

        Assert.Equal(1, factoryCalls);
        Assert.NotNull(Cache.Get("product:42"));

        await using ServiceProvider second = HybridOver(l2);
        Product read = await second.GetRequiredService<HybridCache>().GetOrCreateAsync("product:42", Factory);

        Assert.Equal(new Product(42, "widget", 9.95m), read);
        Assert.Equal(1, factoryCalls);
    }

    [Fact]
    public async Task HybridCache_WithoutLocalCache_ReadsEveryTimeThroughL2()
    {
        await using ServiceProvider provider = HybridOver(AsHybridL2(Cache));
        HybridCache hybrid = provider.GetRequiredService<HybridCache>();
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCache };
        int factoryCalls = 0;

        for (int i = 0; i < 5; i++)
        {
            string value = await hybrid.GetOrCreateAsync("greeting", _ => { factoryCalls++; return new ValueTask<string>("hello, L2"); }, options);
            Assert.Equal("hello, L2", value);
        }

        Assert.Equal(1, factoryCalls);
        Cache.Remove("greeting");
        Assert.Equal("again", await hybrid.GetOrCreateAsync("greeting", _ => { factoryCalls++; return new ValueTask<string>("again"); }, options));
        Assert.Equal(2, factoryCalls);
    }

    [Fact]
    public async Task HybridCache_Remove_RemovesFromL2()
    {
        await using ServiceProvider provider = HybridOver(AsHybridL2(Cache));
        HybridCache hybrid = provider.GetRequiredService<HybridCache>();
        await hybrid.SetAsync("key", "value");
        Assert.NotNull(Cache.Get("key"));

        await hybrid.RemoveAsync("key");

        Assert.Null(Cache.Get("key"));
        Assert.Equal("fresh", await hybrid.GetOrCreateAsync("key", _ => new ValueTask<string>("fresh")));
    }

    [Fact]
    public async Task HybridCache_Expiration_ReachesL2()
    {
        IDistributedCache l2 = AsHybridL2(Cache);
        var options = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
        await using (ServiceProvider first = HybridOver(l2))
        {
            await first.GetRequiredService<HybridCache>().SetAsync("ttl", "first", options);
        }

        Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(Cache.Get("ttl"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(Cache.Get("ttl"));

        await using ServiceProvider second = HybridOver(l2);
        Assert.Equal("second", await second.GetRequiredService<HybridCache>().GetOrCreateAsync("ttl", _ => new ValueTask<string>("second"), options));
    }
}
