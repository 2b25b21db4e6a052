namespace NativeMap.Caching.Benchmarks.Scale;

/// <summary>
/// The keys of the scale runs, made from their index on demand, as a service builds <c>$"product:{id}"</c> per request:
/// 16 to 40 ASCII characters, unique, the same in every process. No key array is kept, so the harness holds no
/// per-key objects that would weigh on either cache's GC figures.
/// </summary>
public static class Keys
{
    public const int MinLength = 16;
    public const int MaxLength = 40;

    public static int LengthOf(int index) => MinLength + (int)(Mix((ulong)index) % (MaxLength - MinLength + 1));

    public static string Get(int index) => string.Create(LengthOf(index), index, static (span, i) =>
    {
        // "k" + 8 hex digits of the index make it unique; the rest is filler derived from it.
        span[0] = 'k';
        for (int d = 0; d < 8; d++)
        {
            int nibble = (i >> (28 - (4 * d))) & 0xF;
            span[1 + d] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
        }

        // Filler: 4 bits of a mixed word per character, rotating (no division: building a key must cost little next
        // to the cache operation it feeds, or it would narrow every ratio).
        ulong h = Mix((ulong)i ^ 0xABCDEF);
        for (int c = 9; c < span.Length; c++)
        {
            span[c] = (char)('a' + (int)(h & 15));
            h = (h >> 4) | (h << 60);
        }
    });

    /// <summary>A fixed pseudo-random permutation of 0..n-1: the order every pass visits the keys in.</summary>
    public static int[] Shuffled(int n, int seed)
    {
        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        new Random(seed).Shuffle(order);
        return order;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
