using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

public sealed class NativeMapLayoutTests
{
    [Fact]
    public void BucketLayout_LongLong_Is144BytesInterleaved()
    {
        Assert.True(BucketLayout<long, long>.Interleaved);
        Assert.Equal(8, BucketLayout<long, long>.OverflowOffset);
        Assert.Equal(16, BucketLayout<long, long>.KeysOffset);
        Assert.Equal(24, BucketLayout<long, long>.ValuesOffset);
        Assert.Equal(16, BucketLayout<long, long>.KeyStride);
        Assert.Equal(144, BucketLayout<long, long>.BucketSize);
    }

    [Fact]
    public void BucketLayout_LongByte_IsGroupedAndWastesNoPadding()
    {
        Assert.False(BucketLayout<long, byte>.Interleaved);
        Assert.Equal(16, BucketLayout<long, byte>.KeysOffset);
        Assert.Equal(80, BucketLayout<long, byte>.ValuesOffset);
        Assert.Equal(88, BucketLayout<long, byte>.BucketSize);
    }

    [Fact]
    public void BucketLayout_PairsThatWouldNeedPadding_AreGrouped()
    {
        Assert.False(BucketLayout<int, long>.Interleaved);   // 4 + pad 4 + 8
        Assert.False(BucketLayout<long, int>.Interleaved);   // 8 + 4, next key at 12 would be misaligned
        Assert.False(BucketLayout<byte, long>.Interleaved);
        Assert.False(BucketLayout<Key24, int>.Interleaved);  // 24 + 4
        Assert.True(BucketLayout<int, int>.Interleaved);
        Assert.True(BucketLayout<Guid, long>.Interleaved);
        Assert.True(BucketLayout<Guid, Payload40>.Interleaved);
        Assert.True(BucketLayout<Key24, long>.Interleaved);
        Assert.True(BucketLayout<byte, byte>.Interleaved);
    }

    [Fact]
    public void BucketLayout_EveryLayout_AlignsSlotsAndKeepsTheOverflowPointerInTheFirstLine()
    {
        AssertConsistent<long, long>();
        AssertConsistent<int, int>();
        AssertConsistent<long, byte>();
        AssertConsistent<int, long>();
        AssertConsistent<byte, long>();
        AssertConsistent<byte, byte>();
        AssertConsistent<Guid, long>();
        AssertConsistent<Guid, Payload40>();
        AssertConsistent<Key24, int>();
        AssertConsistent<double, long>();
        Assert.Equal(208, BucketLayout<Guid, long>.BucketSize);
        Assert.Equal(80, BucketLayout<int, int>.BucketSize);
        Assert.Equal(32, BucketLayout<byte, byte>.BucketSize);
    }

    private static unsafe void AssertConsistent<TKey, TValue>()
        where TKey : unmanaged
        where TValue : unmanaged
    {
        Assert.Equal(8, BucketLayout<TKey, TValue>.OverflowOffset);
        Assert.Equal(0, BucketLayout<TKey, TValue>.BucketSize % 8);
        Assert.Equal(0, BucketLayout<TKey, TValue>.KeysOffset % BucketLayout<TKey, TValue>.KeyAlignment);
        Assert.Equal(0, BucketLayout<TKey, TValue>.ValuesOffset % BucketLayout<TKey, TValue>.ValueAlignment);
        Assert.Equal(0, BucketLayout<TKey, TValue>.KeyStride % BucketLayout<TKey, TValue>.KeyAlignment);
        Assert.Equal(0, BucketLayout<TKey, TValue>.ValueStride % BucketLayout<TKey, TValue>.ValueAlignment);

        // Every key and value lies inside the bucket, after the overflow pointer, and no two overlap.
        byte* bucket = (byte*)0x1000;
        var used = new bool[BucketLayout<TKey, TValue>.BucketSize];
        for (int b = 0; b < 16; b++)
        {
            used[b] = true;
        }

        for (int i = 0; i < BucketLayout<TKey, TValue>.SlotCount; i++)
        {
            Mark((byte*)BucketLayout<TKey, TValue>.Key(bucket, i) - bucket, sizeof(TKey));
            Mark((byte*)BucketLayout<TKey, TValue>.Value(bucket, i) - bucket, sizeof(TValue));
        }

        // No padding at all where the layout is interleaved; grouped wastes at most alignment padding.
        int free = used.Count(u => !u);
        if (BucketLayout<TKey, TValue>.Interleaved)
        {
            Assert.Equal(0, free);
        }
        else
        {
            Assert.True(free < 16, $"{free} bytes of padding");
        }

        void Mark(long offset, int size)
        {
            Assert.InRange(offset, 16, BucketLayout<TKey, TValue>.BucketSize - size);
            for (long b = offset; b < offset + size; b++)
            {
                Assert.False(used[b], $"byte {b} used twice");
                used[b] = true;
            }
        }
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
