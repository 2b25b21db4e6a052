namespace NativeMap.Tests.Infrastructure;

/// <summary>A comparer for long that throws from GetHashCode when armed: for exception-safety tests.</summary>
public sealed class ThrowingComparer : IEqualityComparer<long>
{
    /// <summary>Calls left before GetHashCode throws; negative means never.</summary>
    public int CallsBeforeThrow { get; set; } = -1;

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long obj)
    {
        if (CallsBeforeThrow == 0)
        {
            throw new InvalidDataException("comparer failure (test)");
        }

        if (CallsBeforeThrow > 0)
        {
            CallsBeforeThrow--;
        }

        return obj.GetHashCode();
    }
}
