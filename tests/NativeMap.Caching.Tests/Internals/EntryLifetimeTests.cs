namespace NativeMap.Caching.Tests.Internals;

public sealed class EntryLifetimeTests
{
    private static readonly DateTimeOffset s_now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long s_nowTicks = s_now.UtcTicks;

    [Fact]
    public void FromOptions_None_NeverExpires()
    {
        EntryLifetime lifetime = EntryLifetime.FromOptions(new DistributedCacheEntryOptions(), s_nowTicks);

        Assert.Equal(new EntryLifetime(EntryLifetime.Never, 0, EntryLifetime.Never), lifetime);
        Assert.False(lifetime.IsSliding);
        Assert.False(lifetime.IsExpiredAt(DateTimeOffset.MaxValue.UtcTicks));
        Assert.Equal(EntryLifetime.Never, lifetime.Touch(s_nowTicks + 1));
    }

    [Fact]
    public void FromOptions_AbsoluteDate_IsItsUtcTicks()
    {
        var at = new DateTimeOffset(2030, 1, 1, 3, 0, 0, TimeSpan.FromHours(2)); // 01:00 UTC
        EntryLifetime lifetime = EntryLifetime.FromOptions(new DistributedCacheEntryOptions { AbsoluteExpiration = at }, s_nowTicks);

        Assert.Equal(s_nowTicks + TimeSpan.FromHours(1).Ticks, lifetime.ExpiresAt);
        Assert.Equal(lifetime.ExpiresAt, lifetime.AbsoluteCap);
    }

    [Theory]
    [InlineData(5, 10, 5)]
    [InlineData(20, 10, 10)]
    public void FromOptions_AbsoluteAndRelative_TheEarlierWins(int absoluteSeconds, int relativeSeconds, int expectedSeconds)
    {
        EntryLifetime lifetime = EntryLifetime.FromOptions(new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = s_now.AddSeconds(absoluteSeconds),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(relativeSeconds),
        }, s_nowTicks);

        Assert.Equal(s_nowTicks + TimeSpan.FromSeconds(expectedSeconds).Ticks, lifetime.ExpiresAt);
    }

    [Fact]
    public void Sliding_DeadlineMovesOnTouch_CappedAtTheAbsolute()
    {
        EntryLifetime lifetime = EntryLifetime.FromOptions(new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(15),
        }, s_nowTicks);

        long second = TimeSpan.TicksPerSecond;
        Assert.True(lifetime.IsSliding);
        Assert.Equal(s_nowTicks + (10 * second), lifetime.ExpiresAt);
        Assert.Equal(s_nowTicks + (15 * second), lifetime.AbsoluteCap);
        Assert.Equal(s_nowTicks + (13 * second), lifetime.Touch(s_nowTicks + (3 * second)));
        Assert.Equal(s_nowTicks + (15 * second), lifetime.Touch(s_nowTicks + (8 * second)));
    }

    [Fact]
    public void IsExpired_TheDeadlineItselfIsPast()
    {
        Assert.False(EntryLifetime.IsExpired(100, 99));
        Assert.True(EntryLifetime.IsExpired(100, 100));
        Assert.True(EntryLifetime.IsExpired(100, 101));
    }

    [Fact]
    public void HugePeriods_SaturateToNever_InsteadOfOverflowing()
    {
        // MemoryDistributedCache throws ArgumentOutOfRangeException here (DateTime + TimeSpan.MaxValue); we mean "never".
        EntryLifetime lifetime = EntryLifetime.FromOptions(new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.MaxValue,
            SlidingExpiration = TimeSpan.MaxValue,
        }, s_nowTicks);

        Assert.Equal(EntryLifetime.Never, lifetime.ExpiresAt);
        Assert.Equal(EntryLifetime.Never, lifetime.Touch(s_nowTicks + 1));
        Assert.Equal(long.MaxValue, EntryLifetime.SaturatingAdd(long.MaxValue - 1, 2));
        Assert.Equal(7, EntryLifetime.SaturatingAdd(3, 4));
    }
}
