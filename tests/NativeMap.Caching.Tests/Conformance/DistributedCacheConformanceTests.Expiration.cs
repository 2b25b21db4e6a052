namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// Expiration, as <c>MemoryCache</c> decides it: an entry is gone at the instant its deadline is reached (not one tick
/// later); the absolute deadline is the earlier of <c>AbsoluteExpiration</c> and now + <c>AbsoluteExpirationRelativeToNow</c>;
/// a sliding entry's deadline moves to now + period on every read or refresh, never past the absolute one.
/// </summary>
public abstract partial class DistributedCacheConformanceTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AbsoluteExpiration_LiveUntilTheDeadline_GoneAtIt(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), At(Start + TimeSpan.FromSeconds(10)));

        Clock.Advance(TimeSpan.FromSeconds(10) - OneTick);
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(OneTick);
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task RelativeExpiration_CountsFromTheWrite(AccessMode mode)
    {
        Clock.Advance(TimeSpan.FromMinutes(3));
        await Set(mode, "key", Bytes(10), Relative(TimeSpan.FromSeconds(10)));

        Clock.Advance(TimeSpan.FromSeconds(10) - OneTick);
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(OneTick);
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [InlineData(5, 10, 5)]
    [InlineData(20, 10, 10)]
    [InlineData(10, 10, 10)]
    public void AbsoluteAndRelative_TheEarlierWins(int absoluteSeconds, int relativeSeconds, int expectedSeconds)
    {
        Cache.Set("key", Bytes(10), new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = Start + TimeSpan.FromSeconds(absoluteSeconds),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(relativeSeconds),
        });

        Clock.Advance(TimeSpan.FromSeconds(expectedSeconds) - OneTick);
        Assert.NotNull(Cache.Get("key"));
        Clock.Advance(OneTick);
        Assert.Null(Cache.Get("key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_NotRead_GoneAfterThePeriod(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Sliding(TimeSpan.FromSeconds(10)));

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_EachReadExtendsIt(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Sliding(TimeSpan.FromSeconds(10)));

        for (int i = 0; i < 5; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(10) - OneTick);
            Assert.NotNull(await Get(mode, "key"));
        }

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_RefreshExtendsIt(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Sliding(TimeSpan.FromSeconds(10)));

        Clock.Advance(TimeSpan.FromSeconds(9));
        await Refresh(mode, "key");
        Clock.Advance(TimeSpan.FromSeconds(9));
        await Refresh(mode, "key");
        Clock.Advance(TimeSpan.FromSeconds(10) - OneTick);
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_NeverPastTheRelativeDeadline(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(15),
        });

        Clock.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(await Get(mode, "key"));
        Clock.Advance(TimeSpan.FromSeconds(7) - OneTick);
        await Refresh(mode, "key");
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(OneTick);
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_NeverPastTheAbsoluteDate(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(10),
            AbsoluteExpiration = Start + TimeSpan.FromSeconds(12),
        });

        Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.NotNull(await Get(mode, "key"));
        Clock.Advance(TimeSpan.FromSeconds(6) - OneTick);
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(OneTick);
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SlidingExpiration_AbsoluteDeadlineBeforeTheFirstPeriod_Wins(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3),
        });

        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Refresh_EntryWithoutSliding_DoesNotExtendIt(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Relative(TimeSpan.FromSeconds(10)));

        Clock.Advance(TimeSpan.FromSeconds(9));
        await Refresh(mode, "key");
        Assert.NotNull(await Get(mode, "key"));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ExpiredEntry_NeitherReadNorRefreshRevivesIt(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Sliding(TimeSpan.FromSeconds(10)));
        Clock.Advance(TimeSpan.FromSeconds(10));

        await Refresh(mode, "key");
        Assert.Null(await Get(mode, "key"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Get(mode, "key"));
        Assert.Null(Cache.Get("key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_AbsoluteExpirationInThePast_StoresNothingAndDropsTheOldValue(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10));

        await Set(mode, "key", Bytes(10, seed: 2), At(Start - TimeSpan.FromSeconds(1)));

        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_AbsoluteExpirationEqualToNow_StoresNothing(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), At(Start));

        Assert.Null(await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_Overwrite_ReplacesTheExpirationToo(AccessMode mode)
    {
        await Set(mode, "short", Bytes(10), Relative(TimeSpan.FromSeconds(5)));
        await Set(mode, "short", Bytes(10, seed: 2));
        await Set(mode, "sliding", Bytes(10), Sliding(TimeSpan.FromSeconds(5)));
        await Set(mode, "sliding", Bytes(10, seed: 3), Relative(TimeSpan.FromHours(2)));

        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(Bytes(10, seed: 2), await Get(mode, "short"));
        Assert.Equal(Bytes(10, seed: 3), await Get(mode, "sliding"));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await Get(mode, "sliding"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_AfterExpiry_StoresTheNewValue(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10), Relative(TimeSpan.FromSeconds(1)));
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await Get(mode, "key"));

        await Set(mode, "key", Bytes(10, seed: 4), Relative(TimeSpan.FromSeconds(1)));
        Assert.Equal(Bytes(10, seed: 4), await Get(mode, "key"));
    }

    [Fact]
    public void NoExpiration_LivesForYears()
    {
        Cache.Set("key", Bytes(10), new DistributedCacheEntryOptions());
        Clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(Bytes(10), Cache.Get("key"));
    }

    [Fact]
    public void Expiration_IsPerKey()
    {
        for (int i = 1; i <= 10; i++)
        {
            Cache.Set($"k{i}", Bytes(10, seed: i), Relative(TimeSpan.FromSeconds(i)));
        }

        for (int second = 1; second <= 10; second++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            for (int i = 1; i <= 10; i++)
            {
                byte[]? value = Cache.Get($"k{i}");
                if (i <= second)
                {
                    Assert.Null(value);
                }
                else
                {
                    Assert.Equal(Bytes(10, seed: i), value);
                }
            }
        }
    }

    [Fact]
    public void ExpiredEntries_StayGoneWhileTheClockRunsOn()
    {
        // Many entries expire at once and the clock runs far past the reference's one-minute expiration scan, so any
        // background reclaim runs while the test reads: nothing expired may come back, nothing live may go.
        for (int i = 0; i < 500; i++)
        {
            Cache.Set($"k{i}", Bytes(20, seed: i), i % 2 == 0 ? Relative(TimeSpan.FromSeconds(30)) : new DistributedCacheEntryOptions());
        }

        for (int step = 0; step < 10; step++)
        {
            Clock.Advance(TimeSpan.FromSeconds(40));
            for (int i = 0; i < 500; i++)
            {
                byte[]? value = Cache.Get($"k{i}");
                if (i % 2 == 0)
                {
                    Assert.Null(value);
                }
                else
                {
                    Assert.Equal(Bytes(20, seed: i), value);
                }
            }
        }
    }
}
