using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;

namespace NativeMap.Caching.Sample;

/// <summary>
/// A minimal API whose HybridCache keeps its second level in native memory. The whole switch from
/// <c>MemoryDistributedCache</c> is the <c>AddNativeDistributedCache</c> line.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET /products/{id}</c> — through HybridCache: the first request loads (200 ms), later ones hit L1 or L2.</item>
/// <item><c>DELETE /products/{id}</c> — removes the product from both levels.</item>
/// <item><c>GET /l2/products/{id}</c> — what the native L2 holds for that key (its size in bytes), read through
/// <c>IBufferDistributedCache.TryGet</c>.</item>
/// <item><c>GET /stats</c> — the cache's counters and its heap's memory figures.</item>
/// </list>
/// </remarks>
public static class SampleApp
{
    private static readonly HybridCacheEntryOptions s_entryOptions = new()
    {
        Expiration = TimeSpan.FromMinutes(5),          // L2 (native) lifetime
        LocalCacheExpiration = TimeSpan.FromSeconds(30), // L1 (managed) lifetime
    };

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);

        builder.Services.AddNativeDistributedCache(options =>
        {
            options.SizeLimit = 256L << 20;                     // evict least recently used beyond 256 MiB
            options.ScavengeDecay = TimeSpan.FromSeconds(10);   // freed pages go back to the OS after 10 s
        });
        builder.Services.AddHybridCache();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProductCatalog>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, SampleJsonContext.Default));
        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();

        app.MapGet("/products/{id:int}", async (int id, HybridCache cache, ProductCatalog catalog, CancellationToken cancellationToken) =>
        {
            int loadsBefore = catalog.Loads;
            Product product = await cache.GetOrCreateAsync(
                $"product:{id}",
                (catalog, id),
                static (state, token) => state.catalog.LoadAsync(state.id, token),
                s_entryOptions,
                cancellationToken: cancellationToken);
            return new ProductResponse(product, Loaded: catalog.Loads != loadsBefore);
        });

        app.MapDelete("/products/{id:int}", async (int id, HybridCache cache, CancellationToken cancellationToken) =>
        {
            await cache.RemoveAsync($"product:{id}", cancellationToken);
            return Results.NoContent();
        });

        app.MapGet("/l2/products/{id:int}", (int id, IBufferDistributedCache l2) =>
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            return l2.TryGet($"product:{id}", buffer)
                ? Results.Ok(new L2Response($"product:{id}", buffer.WrittenCount))
                : Results.NotFound();
        });

        app.MapGet("/stats", (NativeDistributedCache cache) =>
        {
            NativeDistributedCacheStatistics stats = cache.GetStatistics();
            NativeMap.Allocator.HeapStats heap = cache.Heap.GetStats();
            return new StatsResponse(stats.EntryCount, stats.SizeBytes, stats.Hits, stats.Misses, stats.Evictions, stats.Expirations,
                heap.InUseBytes, heap.IdleBytes, heap.ReleasedBytes);
        });

        return app;
    }
}
