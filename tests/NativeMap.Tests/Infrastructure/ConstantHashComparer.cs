namespace NativeMap.Tests.Infrastructure;

/// <summary>A comparer for <see cref="Key24"/> that gives every key the same hash code: all keys tie on their hash.</summary>
public sealed class ConstantHashComparer : IEqualityComparer<Key24>
{
    public bool Equals(Key24 x, Key24 y) => x.Equals(y);

    public int GetHashCode(Key24 obj) => 17;
}
