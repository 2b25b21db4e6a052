namespace NativeMap.Allocator.Tests;

public sealed unsafe class FreeSpansTests
{
    [Fact]
    public void BinOf_IsMonotonicAndMinPagesIsItsInverse()
    {
        int previous = -1;
        for (int pages = 1; pages < 1 << 20; pages++)
        {
            int bin = FreeSpans.BinOf(pages);
            Assert.True(bin >= previous);
            Assert.True(FreeSpans.MinPagesOf(bin) <= pages);
            Assert.True(bin + 1 >= FreeSpans.BinCount || FreeSpans.MinPagesOf(bin + 1) > pages);
            previous = bin;
        }

        Assert.True(FreeSpans.BinOf(int.MaxValue) < FreeSpans.BinCount);
    }

    [Fact]
    public void FindFit_ReturnsSpanAtLeastAsLargeAsAsked_OrNull()
    {
        var free = new FreeSpans();
        var sizes = new[] { 3, 64, 65, 100, 127, 700 };
        SpanData* descriptors = stackalloc SpanData[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            descriptors[i] = new SpanData { StartPage = start, PageCount = sizes[i], State = SpanState.Free, Bin = -1 };
            free.Insert(new HeapSpan(descriptors + i));
            start += sizes[i] + 1;
        }

        Assert.Equal(3, free.FindFit(1).PageCount);
        Assert.Equal(3, free.FindFit(3).PageCount);
        Assert.Equal(64, free.FindFit(4).PageCount);
        Assert.Equal(65, free.FindFit(65).PageCount);
        Assert.Equal(100, free.FindFit(66).PageCount);
        Assert.True(free.FindFit(101).PageCount >= 101);
        Assert.Equal(700, free.FindFit(128).PageCount);
        Assert.True(free.FindFit(701).IsNull);

        HeapSpan big = free.FindFit(700);
        free.Remove(big);
        Assert.True(free.FindFit(128).IsNull);
        Assert.Equal(sizes.Length - 1, free.Count);
    }

    [Fact]
    public void SpanDescriptor_IsOnePoolSlot() => Assert.Equal(SpanData.Size, sizeof(SpanData));
}
