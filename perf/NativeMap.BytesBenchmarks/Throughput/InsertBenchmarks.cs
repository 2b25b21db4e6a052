using BenchmarkDotNet.Attributes;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>Set (insert): insert every key into an empty structure, no capacity hint, all growth included (each
/// iteration one invocation on a fresh structure; the old one is dropped untimed).</summary>
public abstract class InsertBenchmarks : BytesBenchmarkBase
{
    /// <summary>Operations per invocation: every key.</summary>
    protected const int Keys1M = 1_000_000;

    [GlobalSetup(Target = nameof(DictionaryInsert))]
    public void SetupDictionary() => CreateKeys(strings: true);

    [GlobalSetup(Target = nameof(NativeInsert))]
    public void SetupMap() => CreateKeys(strings: false);

    [IterationSetup(Target = nameof(DictionaryInsert))]
    public void NewDictionary()
    {
        Dictionary = null;
        GC.Collect();
        Dictionary = new Dictionary<string, byte[]>();
    }

    [IterationSetup(Target = nameof(NativeInsert))]
    public void NewMap()
    {
        Map?.Dispose();
        Map = new NativeBytesMap(0, Heap);
    }

    protected void InsertAllIntoDictionary()
    {
        Dictionary<string, byte[]> dictionary = Dictionary!;
        foreach (string key in KeyStrings)
        {
            dictionary[key] = Value.AsSpan().ToArray();
        }
    }

    protected void InsertAllIntoMap()
    {
        NativeBytesMap map = Map!;
        for (int i = 0; i < Keys.Count; i++)
        {
            map.Set(Keys[i], Value);
        }
    }

    public abstract void DictionaryInsert();

    public abstract void NativeInsert();
}

[BenchmarkCategory("1M")]
[InvocationCount(1)]
public class InsertBenchmarks1M : InsertBenchmarks
{
    protected override int Count => 1_000_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = 1_000_000)]
    [BenchmarkCategory("Insert")]
    public override void DictionaryInsert() => InsertAllIntoDictionary();

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    [BenchmarkCategory("Insert")]
    public override void NativeInsert() => InsertAllIntoMap();
}

[BenchmarkCategory("10M")]
[InvocationCount(1)]
public class InsertBenchmarks10M : InsertBenchmarks
{
    protected override int Count => 10_000_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = 10_000_000)]
    [BenchmarkCategory("Insert")]
    public override void DictionaryInsert() => InsertAllIntoDictionary();

    [Benchmark(OperationsPerInvoke = 10_000_000)]
    [BenchmarkCategory("Insert")]
    public override void NativeInsert() => InsertAllIntoMap();
}
