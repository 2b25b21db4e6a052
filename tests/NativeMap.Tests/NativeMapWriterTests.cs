using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

public sealed class NativeMapWriterTests
{
    [Fact]
    public void Write_OverlappingAnotherWrite_ThrowsInvalidOperation()
    {
        using var heap = new SpanHeap();
        NativeMap<long, long>? map = null;
        var reentrant = new ReentrantComparer(() => map!.TryAdd(1000, 1));
        map = new NativeMap<long, long>(0, reentrant, heap);
        map.Add(1, 1);
        reentrant.Armed = true;
        Assert.Throws<InvalidOperationException>(() => map.Add(2, 2));
        reentrant.Armed = false;

        // The outer write unwound cleanly: the flag is clear and the map is consistent.
        map.Validate();
        map.Add(3, 3);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void Read_OverlappingAWrite_ThrowsInvalidOperation()
    {
        using var heap = new SpanHeap();
        NativeMap<long, long>? map = null;
        var reentrant = new ReentrantComparer(() => map!.ContainsKey(1));
        map = new NativeMap<long, long>(0, reentrant, heap);
        map.Add(1, 1);
        reentrant.Armed = true;
        Assert.Throws<InvalidOperationException>(() => map.Remove(1));
        reentrant.Armed = false;
        Assert.True(map.ContainsKey(1));
        map.Validate();
    }

    [Fact]
    public void Insert_ComparerThrowsDuringEvacuation_MapStaysConsistent()
    {
        using var heap = new SpanHeap();
        var comparer = new ThrowingComparer();
        using var map = new NativeMap<long, long>(0, comparer, heap);
        var model = new Dictionary<long, long>();
        var random = new Random(12345);
        int failures = 0;
        for (int i = 0; i < 20_000; i++)
        {
            long key = random.Next(15_000);
            comparer.CallsBeforeThrow = random.Next(8) == 0 ? random.Next(20) : -1;
            try
            {
                if (random.Next(3) == 0)
                {
                    map.Remove(key);
                    comparer.CallsBeforeThrow = -1;
                    model.Remove(key);
                }
                else
                {
                    map[key] = i;
                    comparer.CallsBeforeThrow = -1;
                    model[key] = i;
                }
            }
            catch (InvalidDataException)
            {
                failures++;
                comparer.CallsBeforeThrow = -1;

                // The write either happened entirely or not at all: resynchronise the model for this key.
                if (map.TryGetValue(key, out long value))
                {
                    model[key] = value;
                }
                else
                {
                    model.Remove(key);
                }
            }

            if (i % 1000 == 0)
            {
                map.Validate();
            }
        }

        comparer.CallsBeforeThrow = -1;
        Assert.True(failures > 100);
        map.Validate();
        Assert.Equal(model.Count, map.Count);
        foreach (KeyValuePair<long, long> entry in model)
        {
            Assert.Equal(entry.Value, map[entry.Key]);
        }
    }

    private sealed class ReentrantComparer : IEqualityComparer<long>
    {
        private readonly Action _reenter;

        public ReentrantComparer(Action reenter) => _reenter = reenter;

        public bool Armed { get; set; }

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long obj)
        {
            if (Armed)
            {
                _reenter();
            }

            return obj.GetHashCode();
        }
    }
}
