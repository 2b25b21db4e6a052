using BenchmarkDotNet.Attributes;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>Set (overwrite): give <see cref="BytesBenchmarkBase.Operations"/> present keys, in random order, a new value
/// of the same size. The dictionary stores a copy of the payload (a new array per set, as a cache must: the caller's
/// buffer is not its to keep); the map copies it into the entry in place.</summary>
public abstract class OverwriteBenchmarks : BytesBenchmarkBase
{
    [GlobalSetup(Target = nameof(DictionaryOverwrite))]
    public void SetupDictionary()
    {
        CreateKeys(strings: true);
        FillDictionary();
    }

    [GlobalSetup(Target = nameof(NativeOverwrite))]
    public void SetupMap()
    {
        CreateKeys(strings: false);
        FillMap();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Overwrite")]
    public void DictionaryOverwrite()
    {
        Dictionary<string, byte[]> dictionary = Dictionary!;
        foreach (int i in Order)
        {
            dictionary[KeyStrings[i]] = Value.AsSpan().ToArray();
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Overwrite")]
    public void NativeOverwrite()
    {
        NativeBytesMap map = Map!;
        foreach (int i in Order)
        {
            map.Set(Keys[i], Value);
        }
    }
}

[BenchmarkCategory("1M")]
public class OverwriteBenchmarks1M : OverwriteBenchmarks
{
    protected override int Count => 1_000_000;
}

[BenchmarkCategory("10M")]
public class OverwriteBenchmarks10M : OverwriteBenchmarks
{
    protected override int Count => 10_000_000;
}
