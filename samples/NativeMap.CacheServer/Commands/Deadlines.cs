namespace NativeMap.CacheServer.Commands;

/// <summary>
/// Redis's times (relative seconds or milliseconds, absolute Unix seconds or milliseconds) as the store's deadlines
/// (UTC ticks of its clock, 100 ns; 0 = none). A relative time is added to the store's "now" in ticks, so that
/// <c>SET k v PX 1500</c> followed by <c>PTTL k</c> on an unmoved clock gives exactly 1500, as in Redis. Deadlines are
/// clamped to [1 tick, year 9999]: a past time becomes "long ago" (the key is deleted), and a time beyond what ticks
/// hold — which Redis would store — becomes "never in practice" either way.
/// </summary>
internal static class Deadlines
{
    private const long TicksPerMillisecond = TimeSpan.TicksPerMillisecond;

    private static readonly long s_unixEpochTicks = DateTime.UnixEpoch.Ticks;

    private static readonly long s_maxTicks = DateTime.MaxValue.Ticks;

    /// <summary>Unix milliseconds of a store time in ticks.</summary>
    public static long ToUnixMilliseconds(long ticks) => (ticks - s_unixEpochTicks) / TicksPerMillisecond;

    /// <summary>
    /// SET's EX/PX/EXAT/PXAT (Redis's <c>getExpireMillisecondsOrReply</c>): false when Redis says "invalid expire
    /// time" — not positive, or overflowing 64-bit milliseconds once converted and added to now.
    /// </summary>
    public static bool TryFromSetOption(long value, bool seconds, bool relative, long nowTicks, out long deadline)
    {
        deadline = 0;
        if (value <= 0 || (seconds && value > long.MaxValue / 1000))
        {
            return false;
        }

        long milliseconds = seconds ? value * 1000 : value;
        if (relative && milliseconds > long.MaxValue - ToUnixMilliseconds(nowTicks))
        {
            return false;
        }

        deadline = relative ? Relative(nowTicks, milliseconds) : Absolute(milliseconds);
        return true;
    }

    /// <summary>
    /// EXPIRE/PEXPIRE's time (Redis's <c>expireGenericCommand</c>): negative is allowed (the key is deleted); false only
    /// on overflow, which Redis also refuses.
    /// </summary>
    public static bool TryFromExpire(long value, bool seconds, long nowTicks, out long deadline)
    {
        deadline = 0;
        if (seconds && (value > long.MaxValue / 1000 || value < long.MinValue / 1000))
        {
            return false;
        }

        long milliseconds = seconds ? value * 1000 : value;
        if (milliseconds > long.MaxValue - ToUnixMilliseconds(nowTicks))
        {
            return false;
        }

        deadline = Relative(nowTicks, milliseconds);
        return true;
    }

    /// <summary>Now plus <paramref name="milliseconds"/> (possibly negative), clamped to [1, max ticks].</summary>
    private static long Relative(long nowTicks, long milliseconds)
    {
        long maxMilliseconds = (s_maxTicks - nowTicks) / TicksPerMillisecond;
        long minMilliseconds = -((nowTicks - 1) / TicksPerMillisecond);
        return milliseconds >= maxMilliseconds ? s_maxTicks
            : milliseconds <= minMilliseconds ? 1
            : nowTicks + (milliseconds * TicksPerMillisecond);
    }

    /// <summary>An absolute Unix time in milliseconds (positive), clamped to max ticks.</summary>
    private static long Absolute(long unixMilliseconds) =>
        unixMilliseconds >= (s_maxTicks - s_unixEpochTicks) / TicksPerMillisecond
            ? s_maxTicks
            : s_unixEpochTicks + (unixMilliseconds * TicksPerMillisecond);
}
