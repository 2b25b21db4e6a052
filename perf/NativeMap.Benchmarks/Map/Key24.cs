namespace NativeMap.Benchmarks.Map;

/// <summary>
/// A 24-byte key of three longs: the shape of a composite key (tenant, entity, version). Dictionary hashes it through
/// <see cref="EqualityComparer{T}.Default"/>; NativeMap is given <see cref="BitwiseEqualityComparer{T}"/> (the opt-in to
/// its inline bitwise path: XxHash3 of the 24 bytes, a byte compare), since its hand-written Equals is bitwise in fact.
/// </summary>
/// <remarks>The generated record hash multiplies and adds the fields' 32-bit hashes; <see cref="HashCode.Combine{T1, T2, T3}"/>
/// mixes all 192 bits, so neither map is judged on a weak hash.</remarks>
public readonly record struct Key24(long A, long B, long C)
{
    public bool Equals(Key24 other) => A == other.A && B == other.B && C == other.C;

    public override int GetHashCode() => HashCode.Combine(A, B, C);
}
