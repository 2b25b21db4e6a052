namespace NativeMap.Tests;

public sealed class NativeMapHashingTests
{
    private enum Color : byte
    {
        Red,
        Green,
        Blue,
    }

    private readonly ITestOutputHelper _output;

    public NativeMapHashingTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("hi==lo")]
    [InlineData("multiples of 2^32")]
    public void Insert_KeysCollidingUnderLongGetHashCode_SpreadOverBuckets(string shape)
    {
        const int Count = 200_000;
        Func<long, long> make = shape == "hi==lo" ? i => (i << 32) | i : i => i << 32;

        // The keys really are a flood for Dictionary: a handful of hash codes.
        var codes = new HashSet<int>();
        for (long i = 0; i < Count; i++)
        {
            codes.Add(make(i).GetHashCode());
        }

        Assert.True(codes.Count <= Count / 1000 || shape != "hi==lo", $"{codes.Count} distinct hash codes");

        using var heap = new SpanHeap();
        using var map = new NativeMap<long, long>(0, heap);
        for (long i = 0; i < Count; i++)
        {
            map.Add(make(i), i);
        }

        map.EvacuateAll();
        var stats = map.GetChainStatistics();
        _output.WriteLine($"{shape}: {stats}");
        Assert.Equal(Count, stats.Entries);

        // At 3-6.5 entries per bucket, a well-spread hash gives chains of at most a few buckets and overflow buckets
        // for a minority of buckets; a flood gives one chain of Count / 8 buckets.
        Assert.True(stats.LongestChainBuckets <= 4, stats.ToString());
        Assert.True(stats.MostEntriesInOneChain <= 32, stats.ToString());
        Assert.True(stats.OverflowBuckets <= stats.Buckets / 4, stats.ToString()); // Poisson(6.1): about 18 %
        map.Validate();
    }

    [Fact]
    public void DoubleKeys_SignedZeroAndNaN_FollowDefaultComparer()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<double, int>(0, heap);
        map.Add(-0.0, 1);
        Assert.True(map.ContainsKey(0.0));
        Assert.Throws<ArgumentException>(() => map.Add(0.0, 2));
        map.Add(double.NaN, 3);
        Assert.Equal(3, map[BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0042)]);
        Assert.Equal(3, map[-double.NaN]);
        map.Add(double.PositiveInfinity, 4);
        map.Add(double.NegativeInfinity, 5);
        Assert.Equal(4, map.Count);
        Assert.True(map.Remove(0.0));
        Assert.False(map.ContainsKey(-0.0));
        map.Validate();
    }

    [Fact]
    public void FloatKeys_SignedZeroAndNaN_FollowDefaultComparer()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<float, int>(0, heap);
        map.Add(0.0f, 1);
        Assert.True(map.ContainsKey(-0.0f));
        map.Add(float.NaN, 2);
        Assert.True(map.ContainsKey(BitConverter.Int32BitsToSingle(0x7FC0_0001)));
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void EnumAndGuidKeys_HashBitwise()
    {
        Assert.Equal(KeyKind.Bitwise, KeyHashing<Color>.Kind);
        Assert.Equal(KeyKind.Bitwise, KeyHashing<Guid>.Kind);
        Assert.Equal(KeyKind.Bitwise, KeyHashing<long>.Kind);
        Assert.Equal(KeyKind.Double, KeyHashing<double>.Kind);
        Assert.Equal(KeyKind.Comparer, KeyHashing<decimal>.Kind);
        Assert.Equal(KeyKind.Comparer, KeyHashing<DateTime>.Kind);
        using var heap = new SpanHeap();
        using var colors = new NativeMap<Color, int>(0, heap) { [Color.Red] = 1, [Color.Blue] = 3 };
        Assert.Equal(3, colors[Color.Blue]);
        Assert.False(colors.ContainsKey(Color.Green));
        var guid = Guid.NewGuid();
        using var guids = new NativeMap<Guid, int>(0, heap) { [guid] = 7 };
        Assert.Equal(7, guids[new Guid(guid.ToByteArray())]);
    }

    [Fact]
    public void DecimalKeys_UseComparerEquality()
    {
        using var heap = new SpanHeap();
        using var map = new NativeMap<decimal, int>(0, heap) { [1.0m] = 1 };
        Assert.True(map.ContainsKey(1.00m)); // equal values, different bits
        Assert.Throws<ArgumentException>(() => map.Add(1.000m, 2));
    }

    [Fact]
    public void Seed_DiffersBetweenMaps()
    {
        using var heap = new SpanHeap();
        using var a = new NativeMap<long, long>(0, heap);
        using var b = new NativeMap<long, long>(0, heap);
        Assert.NotEqual(a.Seed, b.Seed);
        Assert.NotEqual(a.Hash(42), b.Hash(42));
    }
}
