namespace NativeMap.SideBySide;

/// <summary>
/// The keys of one size: <see cref="Present"/> in insertion order, the same keys <see cref="Shuffled"/>, and as many
/// <see cref="Absent"/> keys. Key i is SplitMix64's output for counter i (a bijection of the counter, so present and
/// absent keys are distinct without a set); perf/NativeMap.AbseilReference/absl_reference.cc makes exactly the same keys and shuffle.
/// </summary>
public sealed class KeySet
{
    private KeySet(ulong[] present, ulong[] shuffled, ulong[] absent)
    {
        Present = present;
        Shuffled = shuffled;
        Absent = absent;
    }

    public ulong[] Present { get; }

    public ulong[] Shuffled { get; }

    public ulong[] Absent { get; }

    public int Count => Present.Length;

    public static KeySet Create(int count)
    {
        var present = new ulong[count];
        var absent = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            present[i] = SplitMix64.Mix((ulong)i);
            absent[i] = SplitMix64.Mix((ulong)count + (ulong)i);
        }

        ulong[] shuffled = (ulong[])present.Clone();
        ulong state = 0x5EED_0000_0000_0001UL;
        for (int i = count - 1; i > 0; i--)
        {
            // Fisher-Yates with a multiply-shift index: the same sequence as the C++ program.
            int j = (int)(((UInt128)SplitMix64.Next(ref state) * (ulong)(i + 1)) >> 64);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        return new KeySet(present, shuffled, absent);
    }
}

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): the key generator, written out so the C++ program can match it.</summary>
public static class SplitMix64
{
    private const ulong Gamma = 0x9E37_79B9_7F4A_7C15UL;

    /// <summary>The output for counter <paramref name="i"/>: a bijection of 64-bit integers.</summary>
    public static ulong Mix(ulong i)
    {
        ulong z = (i + 1) * Gamma;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next output of the stream whose state is <paramref name="state"/>.</summary>
    public static ulong Next(ref ulong state)
    {
        ulong z = state += Gamma;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
