using System.Buffers;
using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>
/// The concurrent store against <c>ConcurrentDictionary&lt;string, byte[]&gt;</c> with <see cref="Threads"/> threads:
/// Get (copy each value into the thread's pooled buffer) and Set (overwrite a present key with a new value of the same
/// size; the dictionary stores a copy, as a cache must). An invocation is <see cref="BytesBenchmarkBase.Operations"/>
/// operations split evenly over the threads, each thread on its own slice of the random key order, so times are per
/// operation of the whole machine: with 2 threads on 2 cores, half the 1-thread time would be perfect scaling.
/// </summary>
public abstract class ConcurrentBenchmarks : BytesBenchmarkBase
{
    private ConcurrentDictionary<string, byte[]>? _dictionary;
    private ConcurrentNativeBytesMap? _store;
    private ArrayBufferWriter<byte>[] _writers = [];

    /// <summary>Threads sharing each invocation's operations.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Targets = [nameof(DictionaryGet), nameof(DictionarySet)])]
    public void SetupDictionary()
    {
        CreateKeys(strings: true);
        _dictionary = new ConcurrentDictionary<string, byte[]>();
        foreach (string key in KeyStrings)
        {
            _dictionary[key] = Value.AsSpan().ToArray();
        }

        CreateWriters();
    }

    [GlobalSetup(Targets = [nameof(StoreGet), nameof(StoreSet)])]
    public void SetupStore()
    {
        CreateKeys(strings: false);
        _store = new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions { Heap = Heap });
        for (int i = 0; i < Keys.Count; i++)
        {
            _store.Set(Keys[i], Value);
        }

        CreateWriters();
    }

    public override void Cleanup()
    {
        _store?.Dispose();
        _store = null;
        _dictionary = null;
        base.Cleanup();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("ConcurrentGet")]
    public long DictionaryGet() => Split(static (self, thread, from, to) =>
    {
        long sum = 0;
        ConcurrentDictionary<string, byte[]> dictionary = self._dictionary!;
        ArrayBufferWriter<byte> writer = self._writers[thread];
        string[] keys = self.KeyStrings;
        int[] order = self.Order;
        for (int n = from; n < to; n++)
        {
            if (dictionary.TryGetValue(keys[order[n]], out byte[]? value))
            {
                writer.ResetWrittenCount();
                writer.Write(value);
                sum += writer.WrittenCount;
            }
        }

        return sum;
    });

    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("ConcurrentGet")]
    public long StoreGet() => Split(static (self, thread, from, to) =>
    {
        long sum = 0;
        ConcurrentNativeBytesMap store = self._store!;
        ArrayBufferWriter<byte> writer = self._writers[thread];
        KeyBlock keys = self.Keys;
        int[] order = self.Order;
        for (int n = from; n < to; n++)
        {
            writer.ResetWrittenCount();
            if (store.TryGetValue(keys[order[n]], writer))
            {
                sum += writer.WrittenCount;
            }
        }

        return sum;
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("ConcurrentSet")]
    public long DictionarySet() => Split(static (self, thread, from, to) =>
    {
        ConcurrentDictionary<string, byte[]> dictionary = self._dictionary!;
        string[] keys = self.KeyStrings;
        int[] order = self.Order;
        byte[] value = self.Value;
        for (int n = from; n < to; n++)
        {
            dictionary[keys[order[n]]] = value.AsSpan().ToArray();
        }

        return to - from;
    });

    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("ConcurrentSet")]
    public long StoreSet() => Split(static (self, thread, from, to) =>
    {
        ConcurrentNativeBytesMap store = self._store!;
        KeyBlock keys = self.Keys;
        int[] order = self.Order;
        byte[] value = self.Value;
        for (int n = from; n < to; n++)
        {
            store.Set(keys[order[n]], value);
        }

        return to - from;
    });

    private void CreateWriters()
    {
        _writers = new ArrayBufferWriter<byte>[Threads];
        for (int t = 0; t < Threads; t++)
        {
            _writers[t] = new ArrayBufferWriter<byte>(4096);
        }
    }

    /// <summary>Runs <paramref name="work"/> on <see cref="Threads"/> threads over equal slices of the key order (the
    /// first slice on the calling thread), and sums what they return.</summary>
    private long Split(Func<ConcurrentBenchmarks, int, int, int, long> work)
    {
        int count = Order.Length;
        if (Threads == 1)
        {
            return work(this, 0, 0, count);
        }

        var others = new Task<long>[Threads - 1];
        for (int t = 1; t < Threads; t++)
        {
            int thread = t;
            others[t - 1] = Task.Factory.StartNew(() => work(this, thread, count * thread / Threads, count * (thread + 1) / Threads),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        long sum = work(this, 0, 0, count / Threads);
        foreach (Task<long> other in others)
        {
            sum += other.GetAwaiter().GetResult();
        }

        return sum;
    }
}

[BenchmarkCategory("1M")]
public class ConcurrentBenchmarks1M : ConcurrentBenchmarks
{
    protected override int Count => 1_000_000;
}

[BenchmarkCategory("10M")]
public class ConcurrentBenchmarks10M : ConcurrentBenchmarks
{
    protected override int Count => 10_000_000;
}
