using Microsoft.Extensions.Caching.Distributed;

namespace NativeMap.Caching;

/// <summary>
/// When an entry expires, as <c>MemoryCache</c> (behind <c>MemoryDistributedCache</c>) decides it, reduced to three
/// numbers: a pure function of the entry options and the clock, which tests drive without a cache.
/// </summary>
/// <remarks>
/// <para><b>The rules</b> (dotnet/runtime <c>MemoryCache.SetEntry</c> and <c>CacheEntry.CheckExpired</c>):</para>
/// <list type="bullet">
/// <item>The absolute expiration is <see cref="DistributedCacheEntryOptions.AbsoluteExpiration"/>, or now +
/// <see cref="DistributedCacheEntryOptions.AbsoluteExpirationRelativeToNow"/>, or the earlier of the two when both are
/// set; none means never.</item>
/// <item>With <see cref="DistributedCacheEntryOptions.SlidingExpiration"/>, the entry also expires once it has not been
/// read (or refreshed) for that long; every read moves that deadline to now + sliding, but never past the absolute
/// expiration.</item>
/// <item>An entry is expired at time <c>t</c> when <c>t ≥ deadline</c>: an absolute expiration equal to now is already
/// past, and so is a write whose deadline is not after the time of the write (it is not stored, and it removes the
/// entry it would have replaced).</item>
/// </list>
/// <para><b>Representation.</b> All three numbers are UTC ticks (100 ns) from <see cref="TimeProvider.GetUtcNow"/>, the
/// clock <c>MemoryCache</c> reads, so a <see cref="DateTimeOffset"/> expiration means wall-clock time.
/// <see cref="ExpiresAt"/> is the one deadline the store checks: <c>min(AbsoluteCap, lastRead + Sliding)</c> for a
/// sliding entry, <c>AbsoluteCap</c> otherwise. <see cref="Never"/> (<see cref="long.MaxValue"/>) stands for "none",
/// and sums saturate to it: a relative expiration of <see cref="TimeSpan.MaxValue"/> means never, where
/// <c>MemoryDistributedCache</c> throws <see cref="ArgumentOutOfRangeException"/> from its date arithmetic.</para>
/// </remarks>
internal readonly record struct EntryLifetime(long ExpiresAt, long SlidingTicks, long AbsoluteCap)
{
    /// <summary>The tick value that means "no deadline".</summary>
    public const long Never = long.MaxValue;

    /// <summary>The lifetime of an entry written with no expiration.</summary>
    public static EntryLifetime None => new(Never, 0, Never);

    /// <summary>Whether the entry has a sliding expiration (and so keeps a header the store must update on reads).</summary>
    public bool IsSliding => SlidingTicks > 0;

    /// <summary>The lifetime of an entry written at <paramref name="nowTicks"/> with <paramref name="options"/>.</summary>
    public static EntryLifetime FromOptions(DistributedCacheEntryOptions options, long nowTicks)
    {
        long absolute = options.AbsoluteExpiration is { } at ? at.UtcTicks : Never;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            absolute = Math.Min(absolute, SaturatingAdd(nowTicks, relative.Ticks));
        }

        long sliding = options.SlidingExpiration is { } slide ? slide.Ticks : 0;
        long expiresAt = sliding > 0 ? Math.Min(absolute, SaturatingAdd(nowTicks, sliding)) : absolute;
        return new EntryLifetime(expiresAt, sliding, absolute);
    }

    /// <summary>Whether an entry with this lifetime is expired at <paramref name="nowTicks"/>.</summary>
    public bool IsExpiredAt(long nowTicks) => IsExpired(ExpiresAt, nowTicks);

    /// <summary>Whether a deadline is past at <paramref name="nowTicks"/>: the deadline itself counts as past.</summary>
    public static bool IsExpired(long expiresAt, long nowTicks) => expiresAt <= nowTicks;

    /// <summary>The deadline after a read at <paramref name="nowTicks"/>: moved to now + sliding, capped at the
    /// absolute expiration; unchanged for an entry that does not slide.</summary>
    public long Touch(long nowTicks) => IsSliding ? Math.Min(AbsoluteCap, SaturatingAdd(nowTicks, SlidingTicks)) : ExpiresAt;

    /// <summary><paramref name="a"/> + <paramref name="b"/> for non-negative <paramref name="b"/>, saturating at <see cref="Never"/>.</summary>
    public static long SaturatingAdd(long a, long b) => a > Never - b ? Never : a + b;
}
