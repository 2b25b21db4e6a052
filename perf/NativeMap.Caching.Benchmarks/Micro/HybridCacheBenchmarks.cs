using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NativeMap.Caching.Benchmarks.Micro;

/// <summary>
/// HybridCache's hit path with each second level: an L1 hit (the usual case; L2 is not touched) and an L2 hit (local
/// cache disabled, so every read goes through the L2 and HybridCache's deserializer). <c>MemoryDistributedCache</c> is
/// the baseline, behind a trivial subclass: HybridCache ignores an L2 of exactly that type, since it duplicates L1.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HybridCacheBenchmarks
{
    private const int Entries = 1000;
    private static readonly HybridCacheEntryOptions s_l2Only = new() { Flags = HybridCacheEntryFlags.DisableLocalCache };

    private ServiceProvider _withMemory = null!;
    private ServiceProvider _withNative = null!;
    private HybridCache _memoryHybrid = null!;
    private HybridCache _nativeHybrid = null!;
    private string[] _keys = [];
    private int _next;

    public sealed record Product(int Id, string Name, string Description, decimal Price);

    /// <summary>MemoryDistributedCache under another type name, so that HybridCache keeps it as L2.</summary>
    public sealed class MemoryL2(IOptions<MemoryDistributedCacheOptions> options) : MemoryDistributedCache(options);

    [GlobalSetup]
    public void Setup()
    {
        _keys = Enumerable.Range(0, Entries).Select(i => $"product:{i}").ToArray();
        _withMemory = Build(services => services.AddSingleton<IDistributedCache>(new MemoryL2(Options.Create(new MemoryDistributedCacheOptions()))));
        _withNative = Build(services => services.AddNativeDistributedCache());
        _memoryHybrid = _withMemory.GetRequiredService<HybridCache>();
        _nativeHybrid = _withNative.GetRequiredService<HybridCache>();
        foreach (string key in _keys)
        {
            Product product = Make(key);
            _memoryHybrid.SetAsync(key, product).AsTask().GetAwaiter().GetResult();
            _nativeHybrid.SetAsync(key, product).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _withMemory.Dispose();
        _withNative.Dispose();
    }

    private static ServiceProvider Build(Action<IServiceCollection> addL2)
    {
        var services = new ServiceCollection();
        addL2(services);
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }

    private static Product Make(string key) => new(key.Length, key, new string('d', 200), 9.95m);

    private string NextKey()
    {
        _next = (_next + 1) % Entries;
        return _keys[_next];
    }

    private static ValueTask<Product> Run(HybridCache cache, string key, HybridCacheEntryOptions? options) =>
        cache.GetOrCreateAsync<Product>(key, static _ => throw new InvalidOperationException("a hit was expected"), options);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("L1 hit")]
    public ValueTask<Product> MemoryL2_L1Hit() => Run(_memoryHybrid, NextKey(), null);

    [Benchmark]
    [BenchmarkCategory("L1 hit")]
    public ValueTask<Product> NativeL2_L1Hit() => Run(_nativeHybrid, NextKey(), null);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("L2 hit")]
    public ValueTask<Product> MemoryL2_L2Hit() => Run(_memoryHybrid, NextKey(), s_l2Only);

    [Benchmark]
    [BenchmarkCategory("L2 hit")]
    public ValueTask<Product> NativeL2_L2Hit() => Run(_nativeHybrid, NextKey(), s_l2Only);
}
