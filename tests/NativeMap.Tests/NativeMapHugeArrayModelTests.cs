using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// Model tests against Dictionary through bucket arrays of 2 MiB and more, the heap's huge-page spans, with huge pages on
/// and off (a private heap each): growth from empty, SetValues and TryGetValues batches, shrinking back through those
/// arrays in random order, enumeration with removes while they evacuate (<see cref="MapModel{TKey, TValue}.RunThroughHugeArrays"/>).
/// One test per bucket layout and key path.
/// </summary>
public sealed class NativeMapHugeArrayModelTests
{
    private readonly ITestOutputHelper _output;

    public NativeMapHugeArrayModelTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HugeArrays_LongToLong_InterleavedLayout_MatchesDictionary(bool hugePages)
    {
        Assert.True(BucketLayout<long, long>.Interleaved);
        AssertCovered(MapModel<long, long>.RunThroughHugeArrays(_output, hugePages, i => i * 7919L, r => r.NextInt64()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HugeArrays_IntToLong_GroupedLayout_MatchesDictionary(bool hugePages)
    {
        Assert.False(BucketLayout<int, long>.Interleaved);
        AssertCovered(MapModel<int, long>.RunThroughHugeArrays(_output, hugePages, i => (i * 48_271) ^ 0x2F00_0000, r => r.NextInt64()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HugeArrays_DetectedRecordKey24ToLong_BitwiseFastPath_MatchesDictionary(bool hugePages)
    {
        Assert.Equal(KeyKind.Bitwise, KeyHashing<RecordKey24>.Kind);
        AssertCovered(MapModel<RecordKey24, long>.RunThroughHugeArrays(_output, hugePages, i => new RecordKey24(i, i * 31L, i % 17), r => r.NextInt64()));
    }

    private static void AssertCovered<TKey, TValue>(MapModel<TKey, TValue>.LargeCoverage coverage)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        // Grew into the first huge-page-sized array and the next one, and once more after the shrink; shrank out of both;
        // enumerated with removes during a growth and a shrink of huge-page-sized arrays.
        Assert.True(coverage.PeakShift > coverage.HugeShift, coverage.ToString());
        Assert.True(coverage.GrowthsIntoHugeArrays >= 3, coverage.ToString());
        Assert.True(coverage.ShrinksFromHugeArrays >= 2, coverage.ToString());
        Assert.True(coverage.ShrunkShift < coverage.HugeShift, coverage.ToString());
        Assert.True(coverage.EnumerationsGrowing >= 2 && coverage.EnumerationsShrinking >= 1, coverage.ToString());
    }
}
