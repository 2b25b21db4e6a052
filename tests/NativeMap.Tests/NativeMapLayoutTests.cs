using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

public sealed class NativeMapLayoutTests
{
    [Fact]
    public void BucketLayout_LongLong_Is144BytesGrouped()
    {
        Assert.Equal(8, BucketLayout<long, long>.KeysOffset);
        Assert.Equal(72, BucketLayout<long, long>.ValuesOffset);
        Assert.Equal(136, BucketLayout<long, long>.OverflowOffset);
        Assert.Equal(144, BucketLayout<long, long>.BucketSize);
    }

    [Fact]
    public void BucketLayout_LongByte_WastesNoPaddingBetweenValues()
    {
        Assert.Equal(8, BucketLayout<long, byte>.KeysOffset);
        Assert.Equal(72, BucketLayout<long, byte>.ValuesOffset);
        Assert.Equal(80, BucketLayout<long, byte>.OverflowOffset);
        Assert.Equal(88, BucketLayout<long, byte>.BucketSize);
    }

    [Fact]
    public void BucketLayout_GuidAndStructs_AreAligned()
    {
        Assert.Equal(8, BucketLayout<Guid, long>.KeysOffset);
        Assert.Equal(208, BucketLayout<Guid, long>.BucketSize);
        Assert.Equal(0, BucketLayout<Guid, Payload40>.BucketSize % 8);
        Assert.Equal(0, BucketLayout<Key24, int>.ValuesOffset % 4);
        Assert.Equal(0, BucketLayout<byte, byte>.BucketSize % 8);
        Assert.Equal(32, BucketLayout<byte, byte>.BucketSize);
    }

    [Fact]
    public void TopHash_Of_AvoidsSentinels()
    {
        for (ulong top = 0; top < 256; top++)
        {
            byte value = TopHash.Of(top << 56);
            Assert.True(value >= TopHash.MinTopHash);
            Assert.Equal(top < TopHash.MinTopHash ? top + TopHash.MinTopHash : top, value);
        }
    }

    [Fact]
    public void TopHash_Match_IsExactForEveryByteValue()
    {
        var random = new Random(1);
        for (int trial = 0; trial < 20_000; trial++)
        {
            ulong word = (ulong)random.NextInt64();
            byte probe = (byte)random.Next(256);
            if (random.Next(2) == 0)
            {
                word = (word & ~(0xFFUL << (8 * random.Next(8)))) | ((ulong)probe << (8 * random.Next(8)));
            }

            ulong expected = 0;
            for (int i = 0; i < 8; i++)
            {
                if ((byte)(word >> (8 * i)) == probe)
                {
                    expected |= 0x80UL << (8 * i);
                }
            }

            Assert.Equal(expected, TopHash.Match(word, TopHash.Broadcast(probe)));
        }
    }
}
