namespace NativeMap.Allocator.Tests;

public sealed class SizeClassesTests
{
    [Fact]
    public void Table_SizesIncreaseToMaxSmallSize()
    {
        Assert.Equal(8, SizeClasses.Size[1]);
        Assert.Equal(SizeClasses.MaxSmallSize, SizeClasses.Size[SizeClasses.Count - 1]);
        for (int c = 2; c < SizeClasses.Count; c++)
        {
            Assert.True(SizeClasses.Size[c] > SizeClasses.Size[c - 1], $"class {c}");
            Assert.Equal(0, SizeClasses.Size[c] % 16);
        }
    }

    [Fact]
    public void Table_RoundingWasteAtMostOneEighthAbove128Bytes()
    {
        for (int c = 2; c < SizeClasses.Count; c++)
        {
            int smallestRequest = SizeClasses.Size[c - 1] + 1;
            if (smallestRequest > 128)
            {
                double waste = (double)(SizeClasses.Size[c] - smallestRequest) / SizeClasses.Size[c];
                Assert.True(waste <= 0.125, $"class {c} ({SizeClasses.Size[c]} B) wastes {waste:P1} on a {smallestRequest} B request");
            }
        }
    }

    [Fact]
    public void Table_SpansHoldEnoughBlocksWithSmallTail()
    {
        for (int c = 1; c < SizeClasses.Count; c++)
        {
            int spanBytes = SizeClasses.SpanPages[c] * Pages.PageSize;
            Assert.True(SizeClasses.ObjectsPerSpan[c] >= SizeClasses.MinObjectsPerSpan, $"class {c}");
            Assert.Equal(spanBytes / SizeClasses.Size[c], SizeClasses.ObjectsPerSpan[c]);
            Assert.True(spanBytes % SizeClasses.Size[c] * 8 <= spanBytes, $"class {c} tail");
            Assert.InRange(SizeClasses.Batch[c], 2, 64);
        }
    }

    [Fact]
    public void ClassOf_EverySize_IsSmallestClassThatFits()
    {
        for (int size = 0; size <= SizeClasses.MaxSmallSize; size++)
        {
            int c = SizeClasses.ClassOf((nuint)size);
            Assert.True(SizeClasses.Size[c] >= size, $"size {size} → class {c}");
            Assert.True(c == 1 || SizeClasses.Size[c - 1] < size, $"size {size} → class {c} is not the smallest");
        }
    }

    [Fact]
    public void DivMagic_EveryOffsetOfEveryClass_DividesExactly()
    {
        for (int c = 1; c < SizeClasses.Count; c++)
        {
            uint size = (uint)SizeClasses.Size[c];
            uint magic = SizeClasses.DivMagic[c];
            uint spanBytes = (uint)(SizeClasses.SpanPages[c] * Pages.PageSize);
            for (uint offset = 0; offset < spanBytes; offset++)
            {
                uint index = (uint)(((ulong)offset * magic) >> 32);
                if (index != offset / size)
                {
                    Assert.Fail($"class {c}: offset {offset} gives {index}, expected {offset / size}");
                }
            }
        }
    }
}
