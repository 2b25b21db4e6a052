using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NativeMap.Caching.Benchmarks.Scale;

namespace NativeMap.Caching.Benchmarks.Micro;

/// <summary>
/// Per-operation time and GC allocation of a read and a write on a warm cache of 100,000 entries: the buffer paths of
/// <see cref="NativeDistributedCache"/> (<c>TryGet(key, IBufferWriter)</c>, <c>Set(key, ReadOnlySequence)</c>) must
/// allocate nothing; <c>MemoryDistributedCache</c> (the baseline of each category) stores the caller's array and returns
/// it, so its write is measured with the fresh array a caller must hand it.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BufferPathBenchmarks
{
    private const int Entries = 100_000;
    private const int Batch = 1024;
    private static readonly DistributedCacheEntryOptions s_options = new();
    private static readonly DistributedCacheEntryOptions s_sliding = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

    private string[] _keys = [];
    private string[] _slidingKeys = [];
    private byte[] _value = [];
    private MemoryDistributedCache _memory = null!;
    private NativeDistributedCache _native = null!;
    private ArrayBufferWriter<byte> _writer = null!;
    private int _next;

    [Params(100, 1000)]
    public int ValueBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = Enumerable.Range(0, Entries).Select(Keys.Get).ToArray();
        new Random(3).Shuffle(_keys);
        _slidingKeys = _keys.Select(static k => "s" + k).ToArray();
        _value = new byte[ValueBytes];
        _memory = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions { SizeLimit = null }));
        _native = new NativeDistributedCache(new NativeDistributedCacheOptions { SizeLimit = null });
        _writer = new ArrayBufferWriter<byte>(4096);
        foreach (string key in _keys)
        {
            _memory.Set(key, _value.AsSpan().ToArray(), s_options);
            _native.Set(key, new ReadOnlySequence<byte>(_value), s_options);
        }

        foreach (string key in _slidingKeys)
        {
            _native.Set(key, new ReadOnlySequence<byte>(_value), s_sliding);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _native.Dispose();

    private string[] NextBatch(out int start)
    {
        start = _next;
        _next = (_next + Batch) % (Entries - Batch);
        return _keys;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Get")]
    public int Memory_Get()
    {
        string[] keys = NextBatch(out int start);
        int found = 0;
        for (int i = start; i < start + Batch; i++)
        {
            found += _memory.Get(keys[i]) is null ? 0 : 1;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Get")]
    public int Native_TryGet()
    {
        string[] keys = NextBatch(out int start);
        int found = 0;
        for (int i = start; i < start + Batch; i++)
        {
            _writer.ResetWrittenCount();
            found += _native.TryGet(keys[i], _writer) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Get")]
    public int Native_Get_ByteArray()
    {
        string[] keys = NextBatch(out int start);
        int found = 0;
        for (int i = start; i < start + Batch; i++)
        {
            found += _native.Get(keys[i]) is null ? 0 : 1;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Get")]
    public int Native_TryGet_Sliding()
    {
        NextBatch(out int start);
        int found = 0;
        for (int i = start; i < start + Batch; i++)
        {
            _writer.ResetWrittenCount();
            found += _native.TryGet(_slidingKeys[i], _writer) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Set")]
    public void Memory_Set()
    {
        string[] keys = NextBatch(out int start);
        for (int i = start; i < start + Batch; i++)
        {
            _memory.Set(keys[i], _value.AsSpan().ToArray(), s_options);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Set")]
    public void Native_SetSequence()
    {
        string[] keys = NextBatch(out int start);
        for (int i = start; i < start + Batch; i++)
        {
            _native.Set(keys[i], new ReadOnlySequence<byte>(_value), s_options);
        }
    }
}
