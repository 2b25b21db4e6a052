using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>Get: look up <see cref="BytesBenchmarkBase.Operations"/> present keys in random order and copy each value
/// into a pooled buffer (an <c>ArrayBufferWriter</c>, as a reply writer would be).</summary>
public abstract class GetBenchmarks : BytesBenchmarkBase
{
    [GlobalSetup(Target = nameof(DictionaryGet))]
    public void SetupDictionary()
    {
        CreateKeys(strings: true);
        FillDictionary();
    }

    [GlobalSetup(Targets = [nameof(NativeGet), nameof(NativeGetStringKey)])]
    public void SetupMap()
    {
        CreateKeys(strings: true);
        FillMap();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Get")]
    public long DictionaryGet()
    {
        long sum = 0;
        Dictionary<string, byte[]> dictionary = Dictionary!;
        foreach (int i in Order)
        {
            if (dictionary.TryGetValue(KeyStrings[i], out byte[]? value))
            {
                Writer.ResetWrittenCount();
                Writer.Write(value);
                sum += Writer.WrittenCount;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Get")]
    public long NativeGet()
    {
        long sum = 0;
        NativeBytesMap map = Map!;
        foreach (int i in Order)
        {
            Writer.ResetWrittenCount();
            if (map.TryGetValue(Keys[i], Writer))
            {
                sum += Writer.WrittenCount;
            }
        }

        return sum;
    }

    /// <summary>The same with string keys (encoded to UTF-8 on the stack per call), as a user holding strings would call it.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("Get")]
    public long NativeGetStringKey()
    {
        long sum = 0;
        NativeBytesMap map = Map!;
        foreach (int i in Order)
        {
            Writer.ResetWrittenCount();
            if (map.TryGetValue(KeyStrings[i], Writer))
            {
                sum += Writer.WrittenCount;
            }
        }

        return sum;
    }
}

[BenchmarkCategory("1M")]
public class GetBenchmarks1M : GetBenchmarks
{
    protected override int Count => 1_000_000;
}

[BenchmarkCategory("10M")]
public class GetBenchmarks10M : GetBenchmarks
{
    protected override int Count => 10_000_000;
}
