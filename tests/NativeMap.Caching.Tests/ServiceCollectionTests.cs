using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NativeMap.Caching.Tests;

public sealed class ServiceCollectionTests
{
    [Fact]
    public void AddNativeDistributedCache_RegistersOneSingletonForEveryInterface()
    {
        var services = new ServiceCollection();
        services.AddNativeDistributedCache(options => options.Name = "di-test");
        using ServiceProvider provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<NativeDistributedCache>();
        Assert.Same(cache, provider.GetRequiredService<IDistributedCache>());
        Assert.Same(cache, provider.GetRequiredService<IBufferDistributedCache>());
        Assert.Equal("di-test", cache.Name);
    }

    [Fact]
    public void AddNativeDistributedCache_ReplacesAnEarlierDistributedCache()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddNativeDistributedCache();
        services.AddNativeDistributedCache(); // twice is harmless
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<NativeDistributedCache>(provider.GetRequiredService<IDistributedCache>());
        Assert.Single(provider.GetServices<IDistributedCache>());
    }

    [Fact]
    public void AddNativeDistributedCache_BadOptions_FailValidationWhenResolved()
    {
        var services = new ServiceCollection();
        services.AddNativeDistributedCache(options => options.SizeLimit = -1);
        using ServiceProvider provider = services.BuildServiceProvider();

        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IDistributedCache>());
        Assert.Contains(nameof(NativeDistributedCacheOptions.SizeLimit), thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisposingTheContainer_DisposesTheCache()
    {
        var services = new ServiceCollection();
        services.AddNativeDistributedCache();
        NativeDistributedCache cache;
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            cache = provider.GetRequiredService<NativeDistributedCache>();
            cache.Set("key", [1], new DistributedCacheEntryOptions());
        }

        Assert.Throws<ObjectDisposedException>(() => cache.Get("key"));
        Assert.True(cache.Heap.IsDisposed);
    }

    [Fact]
    public void AddNativeDistributedCache_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => NativeDistributedCacheServiceCollectionExtensions.AddNativeDistributedCache(null!));
    }
}
