namespace NativeMap.Tests.Infrastructure;

/// <summary>Random byte strings for the bytes-map tests: keys that differ only in length, binary bytes, empty strings.</summary>
public sealed class ByteStrings
{
    private readonly Random _random;

    public ByteStrings(Random random) => _random = random;

    /// <summary>
    /// A key: a quarter are runs of one byte (so keys that differ only in length abound: "", "a", "aa", ...), some are
    /// empty, the rest random binary bytes of 1-40 bytes, a few up to 600.
    /// </summary>
    public byte[] Key()
    {
        int kind = _random.Next(100);
        if (kind < 2)
        {
            return [];
        }

        if (kind < 27)
        {
            byte[] run = new byte[_random.Next(1, 50)];
            Array.Fill(run, (byte)("ab\0\xff"[_random.Next(4)]));
            return run;
        }

        byte[] key = new byte[kind < 97 ? _random.Next(1, 41) : _random.Next(41, 600)];
        _random.NextBytes(key);
        return key;
    }

    /// <summary>A value: mostly 0-200 bytes, some of a few KiB, a few over the 32 KiB small-object limit.</summary>
    public byte[] Value()
    {
        int kind = _random.Next(1000);
        int length = kind switch
        {
            < 20 => 0,
            < 900 => _random.Next(1, 200),
            < 990 => _random.Next(200, 5000),
            _ => _random.Next(30_000, 70_000),
        };
        byte[] value = new byte[length];
        _random.NextBytes(value);
        return value;
    }
}
