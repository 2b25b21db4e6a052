using BenchmarkDotNet.Attributes;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>Remove: remove <see cref="BytesBenchmarkBase.Operations"/> present keys in random order (each iteration one
/// invocation; the keys go back in untimed before the next).</summary>
public abstract class RemoveBenchmarks : BytesBenchmarkBase
{
    [GlobalSetup(Target = nameof(DictionaryRemove))]
    public void SetupDictionary()
    {
        CreateKeys(strings: true);
        FillDictionary();
    }

    [GlobalSetup(Target = nameof(NativeRemove))]
    public void SetupMap()
    {
        CreateKeys(strings: false);
        FillMap();
    }

    [IterationCleanup(Target = nameof(DictionaryRemove))]
    public void RefillDictionary()
    {
        foreach (int i in Order)
        {
            Dictionary![KeyStrings[i]] = Value.AsSpan().ToArray();
        }
    }

    [IterationCleanup(Target = nameof(NativeRemove))]
    public void RefillMap()
    {
        foreach (int i in Order)
        {
            Map!.Set(Keys[i], Value);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Remove")]
    public int DictionaryRemove()
    {
        int removed = 0;
        Dictionary<string, byte[]> dictionary = Dictionary!;
        foreach (int i in Order)
        {
            removed += dictionary.Remove(KeyStrings[i]) ? 1 : 0;
        }

        return removed;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Remove")]
    public int NativeRemove()
    {
        int removed = 0;
        NativeBytesMap map = Map!;
        foreach (int i in Order)
        {
            removed += map.Remove(Keys[i]) ? 1 : 0;
        }

        return removed;
    }
}

[BenchmarkCategory("1M")]
[InvocationCount(1)]
public class RemoveBenchmarks1M : RemoveBenchmarks
{
    protected override int Count => 1_000_000;
}

[BenchmarkCategory("10M")]
[InvocationCount(1)]
public class RemoveBenchmarks10M : RemoveBenchmarks
{
    protected override int Count => 10_000_000;
}
