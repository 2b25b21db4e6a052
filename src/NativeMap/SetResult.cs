namespace NativeMap;

/// <summary>What a <see cref="ConcurrentNativeBytesMap"/> set did.</summary>
public enum SetResult
{
    /// <summary>The value was stored.</summary>
    Stored,

    /// <summary>The condition (<see cref="SetCondition"/>) was not met; nothing changed.</summary>
    ConditionNotMet,

    /// <summary>The deadline was at or before now: nothing was stored and any previous value of the key was removed.</summary>
    Expired,

    /// <summary>The entry alone would exceed the memory limit: nothing was stored and any previous value was removed
    /// (as <c>MemoryCache</c> does with an entry over its size limit).</summary>
    TooLarge,
}
