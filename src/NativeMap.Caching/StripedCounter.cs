using System.Numerics;

namespace NativeMap.Caching;

/// <summary>
/// A counter that many threads increment without sharing a cache line: one cell per processor (by
/// <see cref="Thread.GetCurrentProcessorId"/>), 128 bytes apart, summed when read. Two threads on two cores bumping one
/// shared <see cref="long"/> would bounce its line between them on every cache hit; here each core keeps its own.
/// </summary>
/// <remarks>Increments are atomic, so no count is lost when a thread migrates mid-increment; <see cref="Sum"/> reads
/// the cells without a lock, so it is exact once writers are quiet and a moment's snapshot otherwise.</remarks>
internal sealed class StripedCounter
{
    /// <summary>Longs between cells: 128 bytes, a cache line and the neighbour the adjacent-line prefetcher pairs with it.</summary>
    private const int Stride = 16;

    // Cell i lives at _cells[(i + 1) * Stride]: the first Stride longs are padding, so cell 0 shares no line with the
    // array's header (and its length, which every bounds check reads).
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _mask = stripes - 1;
        _cells = new long[(stripes + 1) * Stride];
    }

    public void Increment() => Interlocked.Increment(ref _cells[((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride]);

    public long Sum()
    {
        long sum = 0;
        for (int i = Stride; i < _cells.Length; i += Stride)
        {
            sum += Volatile.Read(ref _cells[i]);
        }

        return sum;
    }
}
