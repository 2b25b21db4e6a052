namespace NativeMap;

/// <summary>What <see cref="ConcurrentNativeBytesMap.Increment"/> did.</summary>
public enum IncrementResult
{
    /// <summary>The value was incremented (an absent key counts as 0).</summary>
    Done,

    /// <summary>The value is not a base-10 64-bit integer as Redis writes them; nothing changed
    /// (Redis: <c>ERR value is not an integer or out of range</c>).</summary>
    NotAnInteger,

    /// <summary>The result would overflow a 64-bit integer; nothing changed
    /// (Redis: <c>ERR increment or decrement would overflow</c>).</summary>
    Overflow,
}
