namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>What one child reported.</summary>
public sealed class VariantRun
{
    public VariantRun(MemoryVariant variant) => Variant = variant;

    public MemoryVariant Variant { get; }

    public List<MemorySample> Samples { get; } = [];

    public Dictionary<string, double> Results { get; } = [];

    public List<string> Logs { get; } = [];

    public double Result(string name) => Results.TryGetValue(name, out double value) ? value : double.NaN;
}
