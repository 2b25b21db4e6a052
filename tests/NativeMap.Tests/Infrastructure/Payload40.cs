namespace NativeMap.Tests.Infrastructure;

/// <summary>A 40-byte value type.</summary>
public readonly record struct Payload40(long A, long B, long C, long D, long E)
{
    public static Payload40 From(long x) => new(x, ~x, x * 3, x ^ 0x5555, -x);
}
