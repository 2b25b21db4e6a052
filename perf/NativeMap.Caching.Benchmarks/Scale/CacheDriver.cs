using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NativeMap.Allocator;

namespace NativeMap.Caching.Benchmarks.Scale;

/// <summary>
/// One cache as an application would use it. <c>MemoryDistributedCache</c> through its only API, byte arrays: a write
/// hands it a fresh array (a serializer's output; it keeps the caller's array, so sharing one would store nothing) and a
/// read gets the stored array back. <see cref="NativeDistributedCache"/> through its buffer API: a write copies from a
/// sequence, a read copies into the caller's writer (what HybridCache does).
/// </summary>
public abstract class CacheDriver : IDisposable
{
    public abstract string Name { get; }

    public abstract void Set(string key, byte[] value);

    public abstract bool Get(string key, ArrayBufferWriter<byte> scratch);

    public abstract void Remove(string key);

    public virtual HeapStats? HeapStats => null;

    /// <summary>The native heap's small-block spans and the bytes in use in them (null for the managed cache).</summary>
    public virtual FragmentationTotals? Fragmentation => null;

    public virtual void Dispose() => GC.SuppressFinalize(this);

    public static CacheDriver Create(string name, TimeSpan decay) => name switch
    {
        "memory" => new MemoryDriver(),
        "native" => new NativeDriver(decay),
        _ => throw new ArgumentException($"unknown cache '{name}' (memory, native)", nameof(name)),
    };

    private static readonly DistributedCacheEntryOptions s_noExpiration = new();

    private sealed class MemoryDriver : CacheDriver
    {
        // No size limit: both caches must hold every entry (MemoryDistributedCache's default would refuse past 200 MiB).
        private readonly MemoryDistributedCache _cache = new(Options.Create(new MemoryDistributedCacheOptions { SizeLimit = null }));

        public override string Name => "memory";

        public override void Set(string key, byte[] value) => _cache.Set(key, value.AsSpan().ToArray(), s_noExpiration);

        public override bool Get(string key, ArrayBufferWriter<byte> scratch) => _cache.Get(key) is { } value && value.Length >= 0;

        public override void Remove(string key) => _cache.Remove(key);
    }

    private sealed class NativeDriver(TimeSpan decay) : CacheDriver
    {
        private readonly NativeDistributedCache _cache = new(new NativeDistributedCacheOptions { SizeLimit = null, ScavengeDecay = decay });

        public override string Name => "native";

        public override void Set(string key, byte[] value) => _cache.Set(key, new ReadOnlySequence<byte>(value), s_noExpiration);

        public override bool Get(string key, ArrayBufferWriter<byte> scratch)
        {
            scratch.ResetWrittenCount();
            return _cache.TryGet(key, scratch);
        }

        public override void Remove(string key) => _cache.Remove(key);

        public override HeapStats? HeapStats => _cache.Heap.GetStats();

        public override FragmentationTotals? Fragmentation => _cache.Heap.GetFragmentationTotals();

        public override void Dispose()
        {
            _cache.Dispose();
            base.Dispose();
        }
    }
}
