namespace NativeMap.Tests.Infrastructure;

/// <summary>A 24-byte record struct of three longs with the compiler's equality: detected as bitwise (XxHash3 path).</summary>
public readonly record struct RecordKey24(long A, long B, long C);

/// <summary>A 12-byte plain struct of three ints, default (ValueType) equality: detected as bitwise (XxHash3 path).</summary>
public struct PlainKey12
{
    public int A { get; init; }

    public int B { get; init; }

    public int C { get; init; }
}

/// <summary>An 8-byte struct of mixed small fields (an enum, a bool, a char, a nested struct): detected as bitwise.</summary>
public readonly record struct MixedKey8(DayOfWeek Day, bool Flag, byte Small, char Letter, Pair16 Pair);

/// <summary>Two shorts: a nested struct with no padding.</summary>
public readonly record struct Pair16(short X, short Y);

/// <summary>24 bytes, three longs, a hand-written IEquatable that is in fact bitwise: not detected; the opt-in's case.</summary>
public readonly struct HandKey24(long a, long b, long c) : IEquatable<HandKey24>
{
    public long A { get; } = a;

    public long B { get; } = b;

    public long C { get; } = c;

    public bool Equals(HandKey24 other) => A == other.A && B == other.B && C == other.C;

    public override bool Equals(object? obj) => obj is HandKey24 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(A, B, C);

    public static bool operator ==(HandKey24 left, HandKey24 right) => left.Equals(right);

    public static bool operator !=(HandKey24 left, HandKey24 right) => !left.Equals(right);
}

/// <summary>Padding after the int (16 bytes for 12 of fields): not bitwise.</summary>
public readonly record struct PaddedKey(long A, int B);

/// <summary>A double field: -0.0 equals 0.0 under the default equality, so not bitwise.</summary>
public readonly record struct DoubleFieldKey(long A, double B);

/// <summary>No padding, but a hand-written Equals that ignores B: bitwise equality would be wrong.</summary>
public readonly struct IgnoresFieldKey(long a, long b) : IEquatable<IgnoresFieldKey>
{
    public long A { get; } = a;

    public long B { get; } = b;

    public bool Equals(IgnoresFieldKey other) => A == other.A;

    public override bool Equals(object? obj) => obj is IgnoresFieldKey other && Equals(other);

    public override int GetHashCode() => A.GetHashCode();

    public static bool operator ==(IgnoresFieldKey left, IgnoresFieldKey right) => left.Equals(right);

    public static bool operator !=(IgnoresFieldKey left, IgnoresFieldKey right) => !left.Equals(right);
}

/// <summary>A record struct whose field has a hand-written equality: not bitwise, even though the record's own is generated.</summary>
public readonly record struct NestsIgnoresFieldKey(IgnoresFieldKey Inner, long C);

/// <summary>A record struct with a hand-written Equals(T): not detected.</summary>
public readonly record struct RecordWithOwnEquals(long A, long B)
{
    public bool Equals(RecordWithOwnEquals other) => A == other.A;

    public override int GetHashCode() => A.GetHashCode();
}
