namespace NativeMap.Tests.Infrastructure;

/// <summary>A comparer for long whose hash codes fall into a handful of values: long chains and equal full hashes.</summary>
public sealed class CollidingComparer : IEqualityComparer<long>
{
    private readonly int _distinct;

    public CollidingComparer(int distinct) => _distinct = distinct;

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long obj) => (int)((ulong)obj % (ulong)_distinct);
}
