using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// The struct-key fast path: which structs are detected as bitwise, the opt-in comparer, and maps over such keys
/// (the model tests run them under growth, shrink, enumeration and batches).
/// </summary>
public sealed class NativeMapStructKeyTests : IDisposable
{
    private readonly SpanHeap _heap = new();

    public void Dispose() => _heap.Dispose();

    [Theory]
    [InlineData(typeof(RecordKey24))]
    [InlineData(typeof(PlainKey12))]
    [InlineData(typeof(MixedKey8))]
    [InlineData(typeof(Pair16))]
    public void Detection_BitwiseStructs_AreDetected(Type type) => Assert.True(BitwiseStructs.IsBitwiseEquatable(type), type.Name);

    [Theory]
    [InlineData(typeof(PaddedKey))]
    [InlineData(typeof(DoubleFieldKey))]
    [InlineData(typeof(IgnoresFieldKey))]
    [InlineData(typeof(NestsIgnoresFieldKey))]
    [InlineData(typeof(RecordWithOwnEquals))]
    [InlineData(typeof(HandKey24))]
    [InlineData(typeof(Key24))]
    [InlineData(typeof(decimal))]
    [InlineData(typeof(DateTime))]
    [InlineData(typeof(double))]
    [InlineData(typeof(int?))]
    [InlineData(typeof(ValueTuple<long, int>))]
    [InlineData(typeof(ValueTuple<int, int>))] // bitwise in fact, but its Equals is hand-written: conservative
    [InlineData(typeof(string))]
    public void Detection_OtherTypes_AreNotDetected(Type type) => Assert.False(BitwiseStructs.IsBitwiseEquatable(type), type.Name);

    [Fact]
    public void KeyKind_DetectedStruct_IsBitwise_HandWrittenIsComparer()
    {
        Assert.Equal(KeyKind.Bitwise, KeyHashing<RecordKey24>.Kind);
        Assert.Equal(KeyKind.Bitwise, KeyHashing<PlainKey12>.Kind);
        Assert.Equal(KeyKind.Comparer, KeyHashing<HandKey24>.Kind);
        Assert.Equal(KeyKind.Comparer, KeyHashing<IgnoresFieldKey>.Kind);
    }

    [Fact]
    public void IgnoresFieldKey_KeepsItsOwnEquality()
    {
        // A type whose equality ignores a field must not be treated as bitwise: keys equal under Equals collide.
        using var map = new NativeMap<IgnoresFieldKey, int>(0, _heap);
        map[new IgnoresFieldKey(1, 2)] = 5;
        map[new IgnoresFieldKey(1, 3)] = 6;
        Assert.Single(map);
        Assert.Equal(6, map[new IgnoresFieldKey(1, 99)]);
        map.Validate();
    }

    [Fact]
    public void OptIn_Comparer_IsReportedAndHashesBytes()
    {
        using var map = new NativeMap<HandKey24, long>(0, BitwiseEqualityComparer<HandKey24>.Instance, _heap);
        Assert.Same(BitwiseEqualityComparer<HandKey24>.Instance, map.Comparer);
        for (long i = 0; i < 5000; i++)
        {
            map[new HandKey24(i, -i, i * 3)] = i;
        }

        for (long i = 0; i < 5000; i++)
        {
            Assert.True(map.TryGetValue(new HandKey24(i, -i, i * 3), out long value));
            Assert.Equal(i, value);
            Assert.False(map.ContainsKey(new HandKey24(i, -i, i * 3 + 1)));
        }

        map.Validate();
    }

    [Fact]
    public void OptIn_OnDouble_KeepsTheComparersBitwiseSemantics()
    {
        // For floating-point keys the opt-in comparer is used as an ordinary comparer: -0.0 and 0.0 are distinct keys.
        using var map = new NativeMap<double, int>(0, BitwiseEqualityComparer<double>.Instance, _heap);
        map[0.0] = 1;
        map[-0.0] = 2;
        Assert.Equal(2, map.Count);
        Assert.Equal(1, map[0.0]);
        map.Validate();
    }

    [Fact]
    public void BitwiseEqualityComparer_EqualsAndHash_FollowTheBytes()
    {
        var comparer = BitwiseEqualityComparer<HandKey24>.Instance;
        Assert.True(comparer.Equals(new HandKey24(1, 2, 3), new HandKey24(1, 2, 3)));
        Assert.False(comparer.Equals(new HandKey24(1, 2, 3), new HandKey24(1, 2, 4)));
        Assert.Equal(comparer.GetHashCode(new HandKey24(1, 2, 3)), comparer.GetHashCode(new HandKey24(1, 2, 3)));
        var codes = new HashSet<int>();
        for (long i = 0; i < 1000; i++)
        {
            codes.Add(comparer.GetHashCode(new HandKey24(0, 0, i)));
        }

        Assert.True(codes.Count > 990); // all 24 bytes feed the hash
    }

    [Fact]
    public void DetectedKey_SameHashAcrossCopies_DifferentSeedsPerMap()
    {
        var key = new RecordKey24(1, 2, 3);
        using var a = new NativeMap<RecordKey24, int>(0, _heap);
        using var b = new NativeMap<RecordKey24, int>(0, _heap);
        RecordKey24 copy = key with { };
        Assert.Equal(a.Hash(key), a.Hash(copy));
        Assert.NotEqual(a.Hash(key), b.Hash(key)); // seeded per map (2^-64 chance of a false failure)
    }
}
