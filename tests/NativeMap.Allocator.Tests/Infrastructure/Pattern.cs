namespace NativeMap.Allocator.Tests.Infrastructure;

/// <summary>Fills blocks with a pattern derived from a seed and checks it, to catch corruption and overlap.</summary>
internal static unsafe class Pattern
{
    public static void Fill(void* block, nuint size, ulong seed)
    {
        byte* p = (byte*)block;
        ulong x = seed | 1;
        for (nuint i = 0; i < size; i++)
        {
            p[i] = Next(ref x);
        }
    }

    public static bool Check(void* block, nuint size, ulong seed)
    {
        byte* p = (byte*)block;
        ulong x = seed | 1;
        for (nuint i = 0; i < size; i++)
        {
            if (p[i] != Next(ref x))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsZero(void* block, nuint size) => new ReadOnlySpan<byte>(block, checked((int)size)).IndexOfAnyExcept((byte)0) < 0;

    /// <summary>xorshift64: the next byte of the pattern.</summary>
    private static byte Next(ref ulong x)
    {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return (byte)x;
    }
}
