using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>Randomised model tests against Dictionary for several key and value shapes.</summary>
public sealed class NativeMapModelTests
{
    private const int Operations = 200_000;
    private readonly ITestOutputHelper _output;

    public NativeMapModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Model_LongToLong_MatchesDictionary()
    {
        var coverage = MapModel<long, long>.Run(_output, Operations, r => r.NextInt64(0, 30_000) * 7919, r => r.NextInt64());
        Assert.True(coverage.GrowthsSeen > 0 && coverage.ShrinksSeen > 0, coverage.ToString());
    }

    [Fact]
    public void Model_IntToInt_MatchesDictionary()
    {
        var coverage = MapModel<int, int>.Run(_output, Operations, r => r.Next(-10_000, 10_000), r => r.Next());
        Assert.True(coverage.GrowthsSeen > 0 && coverage.ShrinksSeen > 0, coverage.ToString());
    }

    [Fact]
    public void Model_DoubleToLong_MatchesDictionaryWithSignedZeroAndNaN()
    {
        double[] specials =
        [
            0.0, -0.0, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0000)),
            double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue,
        ];
        MapModel<double, long>.Run(_output, Operations,
            r => r.Next(10) == 0 ? specials[r.Next(specials.Length)] : r.Next(-8000, 8000) * 0.25,
            r => r.NextInt64());
    }

    [Fact]
    public void Model_GuidToPayload40_MatchesDictionary()
    {
        MapModel<Guid, Payload40>.Run(_output, Operations,
            r =>
            {
                long i = r.Next(20_000);
                return new Guid((int)i, (short)(i >> 7), 3, 1, 2, 3, 4, 5, 6, 7, (byte)i);
            },
            r => Payload40.From(r.NextInt64()));
    }

    [Fact]
    public void Model_Key24ToInt_MatchesDictionary()
    {
        MapModel<Key24, int>.Run(_output, Operations, r =>
        {
            int i = r.Next(20_000);
            return new Key24(i, i * 31L, i % 17);
        }, r => r.Next());
    }

    [Fact]
    public void Model_DetectedRecordKey24ToLong_MatchesDictionary()
    {
        // Detected bitwise, 24 bytes: XxHash3 and the inline paths.
        var coverage = MapModel<RecordKey24, long>.Run(_output, Operations, r =>
        {
            int i = r.Next(20_000);
            return new RecordKey24(i, i * 31L, i % 17);
        }, r => r.NextInt64());
        Assert.True(coverage.GrowthsSeen > 0 && coverage.ShrinksSeen > 0, coverage.ToString());
    }

    [Fact]
    public void Model_DetectedPlainKey12AndMixedKey8_MatchDictionary()
    {
        MapModel<PlainKey12, int>.Run(_output, Operations / 2, r =>
        {
            int i = r.Next(20_000);
            return new PlainKey12 { A = i, B = i >> 3, C = -i };
        }, r => r.Next());
        MapModel<MixedKey8, int>.Run(_output, Operations / 2, r =>
        {
            int i = r.Next(20_000);
            return new MixedKey8((DayOfWeek)(i % 7), (i & 8) != 0, (byte)i, (char)('a' + (i % 26)), new Pair16((short)(i >> 4), (short)(i >> 9)));
        }, r => r.Next());
    }

    [Fact]
    public void Model_OptInHandKey24ToLong_MatchesDictionary()
    {
        var coverage = MapModel<HandKey24, long>.Run(_output, Operations, r =>
        {
            int i = r.Next(20_000);
            return new HandKey24(i, i * 31L, i % 17);
        }, r => r.NextInt64(), BitwiseEqualityComparer<HandKey24>.Instance);
        Assert.True(coverage.GrowthsSeen > 0 && coverage.ShrinksSeen > 0, coverage.ToString());
    }

    [Fact]
    public void Model_ByteToLong_MatchesDictionary()
    {
        MapModel<byte, long>.Run(_output, 100_000, r => (byte)r.Next(256), r => r.NextInt64());
    }

    [Fact]
    public void Model_CollidingComparer_MatchesDictionary()
    {
        // Few distinct hash codes: long overflow chains, equal 64-bit hashes (ordered by key bytes when enumerating),
        // enumeration buffers that overflow and refill.
        MapModel<long, long>.Run(_output, 40_000, r => r.Next(600), r => r.NextInt64(), new CollidingComparer(13), validateEvery: 200);
    }
}
