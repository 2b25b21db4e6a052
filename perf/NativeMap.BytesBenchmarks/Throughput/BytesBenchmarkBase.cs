using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NativeMap.Allocator;

namespace NativeMap.BytesBenchmarks.Throughput;

/// <summary>
/// Shared setup: <see cref="Count"/> keys of 16-40 ASCII bytes (<see cref="KeySet"/>), values of
/// <see cref="ValueSize"/> bytes, a <c>Dictionary&lt;string, byte[]&gt;</c> (the baseline of every group: what a cache
/// of byte payloads uses today) or a <see cref="NativeBytesMap"/> on a private heap, filled without a capacity hint.
/// Each benchmark method has a <c>[GlobalSetup(Target = …)]</c> of its own, so a benchmark process builds only the
/// structure it measures. An invocation is <see cref="Operations"/> operations (OperationsPerInvoke): times are per operation.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public abstract class BytesBenchmarkBase
{
    /// <summary>Operations per invocation: a million, or every key of a smaller map.</summary>
    public const int Operations = 1_000_000;

    private SpanHeap? _heap;

    /// <summary>Bytes per value.</summary>
    [Params(100, 1000)]
    public int ValueSize { get; set; }

    /// <summary>Entries in the full map.</summary>
    protected abstract int Count { get; }

    protected KeyBlock Keys { get; private set; } = null!;

    protected string[] KeyStrings { get; private set; } = [];

    /// <summary>Key indices in a random order: the keys each invocation looks up, overwrites or removes.</summary>
    protected int[] Order { get; private set; } = [];

    /// <summary>The value every entry gets (the dictionary gets a copy per entry, as a cache copies a payload it keeps).</summary>
    protected byte[] Value { get; private set; } = [];

    /// <summary>The pooled buffer reads copy into.</summary>
    protected ArrayBufferWriter<byte> Writer { get; } = new(4096);

    protected Dictionary<string, byte[]>? Dictionary { get; set; }

    protected NativeBytesMap? Map { get; set; }

    protected SpanHeap Heap => _heap ??= new SpanHeap(new SpanHeapOptions { Name = "bytes-bench", ScavengerEnabled = false });

    protected void CreateKeys(bool strings)
    {
        Keys = new KeyBlock(Count);
        KeyStrings = strings ? Keys.Strings() : [];
        Order = KeySet.Shuffled(Count, 17)[..Math.Min(Count, Operations)];
        Value = KeySet.Value(1, ValueSize);
    }

    protected void FillDictionary()
    {
        var dictionary = new Dictionary<string, byte[]>();
        foreach (string key in KeyStrings)
        {
            dictionary[key] = Value.AsSpan().ToArray();
        }

        Dictionary = dictionary;
    }

    protected void FillMap()
    {
        var map = new NativeBytesMap(0, Heap);
        for (int i = 0; i < Keys.Count; i++)
        {
            map.Set(Keys[i], Value);
        }

        Map = map;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Map?.Dispose();
        Map = null;
        Dictionary = null;
        _heap?.Dispose();
        _heap = null;
    }
}
