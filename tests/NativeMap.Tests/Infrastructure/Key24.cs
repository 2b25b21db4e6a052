namespace NativeMap.Tests.Infrastructure;

/// <summary>A 24-byte key type (with 4 bytes of padding) hashed through its IEquatable implementation.</summary>
public readonly struct Key24 : IEquatable<Key24>
{
    public Key24(long a, long b, int c)
    {
        A = a;
        B = b;
        C = c;
    }

    public long A { get; }

    public long B { get; }

    public int C { get; }

    public bool Equals(Key24 other) => A == other.A && B == other.B && C == other.C;

    public override bool Equals(object? obj) => obj is Key24 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(A, B, C);

    public static bool operator ==(Key24 left, Key24 right) => left.Equals(right);

    public static bool operator !=(Key24 left, Key24 right) => !left.Equals(right);

    public override string ToString() => $"({A}, {B}, {C})";
}
