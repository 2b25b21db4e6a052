namespace NativeMap;

/// <summary>When <see cref="ConcurrentNativeBytesMap.SetDeadline"/> applies (Redis 7's EXPIRE options). A key with no
/// deadline counts as having an infinite one for <see cref="IfLater"/> and <see cref="IfEarlier"/>, as in Redis.</summary>
public enum ExpireCondition
{
    /// <summary>Always.</summary>
    Always,

    /// <summary>Only when the key has no deadline (NX).</summary>
    IfNone,

    /// <summary>Only when the key has a deadline (XX).</summary>
    IfAny,

    /// <summary>Only when the new deadline is later than the current one (GT).</summary>
    IfLater,

    /// <summary>Only when the new deadline is earlier than the current one (LT).</summary>
    IfEarlier,
}
