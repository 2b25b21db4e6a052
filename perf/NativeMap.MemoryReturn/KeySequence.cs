namespace NativeMap.MemoryReturn;

/// <summary>
/// N distinct pseudo-random <see cref="long"/> keys, computed on demand rather than stored, so that no key array on the
/// GC heap shows in the RSS being measured; and an order in which to remove them that is unrelated to the order they
/// were added in.
/// </summary>
/// <remarks>
/// Key i is SplitMix64's finaliser applied to <c>seed + i · φ</c> (φ = 2⁶⁴/golden ratio, odd): both steps are bijections
/// of the 64-bit integers, so the N keys are distinct without a check. The removal order visits index
/// <c>(j · stride) mod N</c> for j = 0, 1, …, N − 1 with <c>stride</c> near 0.618 N and coprime with N: a permutation.
/// </remarks>
public readonly struct KeySequence
{
    private const ulong Golden = 0x9E3779B97F4A7C15;

    private readonly ulong _seed;
    private readonly long _stride;

    public KeySequence(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _seed = seed;
        _stride = CoprimeStride(count);
    }

    /// <summary>How many keys there are.</summary>
    public int Count { get; }

    /// <summary>The i-th key added.</summary>
    public long KeyAt(int index)
    {
        ulong z = _seed + ((ulong)index * Golden);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return (long)(z ^ (z >> 31));
    }

    /// <summary>The key removed at step <paramref name="step"/> (0 ≤ step &lt; <see cref="Count"/>) of the removal order.</summary>
    public long KeyRemovedAt(int step) => KeyAt((int)(step * _stride % Count));

    private static long CoprimeStride(int count)
    {
        long stride = Math.Max(1, (long)(count * 0.6180339887498949));
        while (GreatestCommonDivisor(stride, count) != 1)
        {
            stride++;
        }

        return stride;
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
