using System.Buffers;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// No managed allocation per operation, measured with GC.GetAllocatedBytesForCurrentThread around many operations
/// after a warm-up (the first calls JIT and fill pools). A few bytes of slack allow for the runtime's own bookkeeping.
/// </summary>
public sealed class NativeBytesMapAllocationTests : IDisposable
{
    private const int Operations = 20_000;
    private const long Slack = 1024;

    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly byte[][] _keys = Enumerable.Range(0, 1000).Select(i => Bytes.Of($"allocation-key-{i:D6}")).ToArray();
    private readonly string[] _stringKeys = Enumerable.Range(0, 1000).Select(i => $"allocation-key-{i:D6}").ToArray();
    private readonly byte[] _value = new byte[100];

    public void Dispose() => _heap.Dispose();

    private static long Allocated(Action body)
    {
        body(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        body();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void NativeBytesMap_Operations_AllocateNothing()
    {
        using var map = new NativeBytesMap(0, _heap);
        var writer = new ArrayBufferWriter<byte>(4096);
        byte[] copy = new byte[256];
        var sequence = ChunkedSequence.Split(new byte[300], new Random(1));
        long allocated = Allocated(() =>
        {
            for (int i = 0; i < Operations; i++)
            {
                byte[] key = _keys[i % _keys.Length];
                map.Set(key, _value.AsSpan(0, i % 100));
                if (i % 3 == 0)
                {
                    map.Set(key, sequence);
                }

                writer.ResetWrittenCount();
                map.TryGetValue(key, writer);
                map.TryCopyValue(key, copy, out _);
                map.TryGetLength(key, out _);
                map.ContainsKey(key);
                map.TryAdd(key, _value);
                map.TryRead(key, 0, static (ReadOnlySpan<byte> v, int s) => { });
                string name = _stringKeys[(i * 7) % _stringKeys.Length];
                map.ContainsKey(name);
                map.Set(name, _value);
                if (i % 2 == 0)
                {
                    map.Remove(key);
                    map.Remove(name);
                }
            }

            foreach (NativeBytesMap.Entry entry in map)
            {
                entry.TryCopyValue(copy, out _);
            }

            map.Clear();
        });
        Assert.True(allocated <= Slack, $"{allocated} bytes allocated over {Operations} rounds of operations");
    }

    [Fact]
    public void ConcurrentNativeBytesMap_Operations_AllocateNothing()
    {
        using var store = new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { Heap = _heap, ActiveExpiryInterval = null, MemoryLimit = 1 << 20, EvictionPolicy = EvictionPolicy.AllKeysLru });
        var writer = new ArrayBufferWriter<byte>(4096);
        byte[] copy = new byte[256];
        var sequence = new ReadOnlySequence<byte>(_value);
        var batch = new KeyList(_keys[..16], _keys[..16]);
        long allocated = Allocated(() =>
        {
            long later = store.UtcNowTicks + TimeSpan.TicksPerHour;
            for (int i = 0; i < Operations; i++)
            {
                byte[] key = _keys[i % _keys.Length];
                store.Set(key, _value);
                store.Set(key, sequence, later, SetCondition.IfPresent);
                writer.ResetWrittenCount();
                store.TryGetValue(key, writer);
                store.TryCopyValue(key, copy, out _);
                store.TryRead(key, ref writer, static (ReadOnlySpan<byte> v, ref ArrayBufferWriter<byte> w) => w.Write(v));
                store.TryRead(key, ref writer, static (ReadOnlySpan<byte> h, ReadOnlySpan<byte> v, long d, ref ArrayBufferWriter<byte> w) => d);
                store.TryGetDeadline(key, out _);
                store.Persist(key);
                store.Increment(_keys[0], 1, out _);
                store.Append(_keys[1], _value.AsSpan(0, 1));
                if (i % 100 == 0)
                {
                    store.Set(_keys[1], _value);
                    store.ReadMany(ref batch, ref writer, static (int index, ReadOnlySpan<byte> v, bool found, ref ArrayBufferWriter<byte> w) => { });
                    store.SetMany(ref batch);
                    int n = 0;
                    _ = store.Scan(0, 50, ref n, static (ReadOnlySpan<byte> k, ref int c) => c++);
                    store.RemoveExpired();
                }

                store.Remove(key);
            }
        });
        Assert.True(allocated <= Slack, $"{allocated} bytes allocated over {Operations} rounds of operations");
    }
}
