using System.Buffers;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// Bad input and cancellation. Null arguments throw <see cref="ArgumentNullException"/> synchronously, from the async
/// forms too, as the reference does (it checks before it makes a task). Non-positive relative and sliding periods
/// never reach a cache: <see cref="DistributedCacheEntryOptions"/> refuses them itself.
/// </summary>
public abstract partial class DistributedCacheConformanceTests
{
    private static readonly DistributedCacheEntryOptions s_none = new();

    public static TheoryData<string> NullKeyCalls => new()
    {
        "Get", "GetAsync", "TryGet", "TryGetAsync", "Set", "SetAsync", "SetSequence", "SetSequenceAsync", "Refresh",
        "RefreshAsync", "Remove", "RemoveAsync",
    };

    [Theory]
    [MemberData(nameof(NullKeyCalls))]
    public void NullKey_ThrowsArgumentNullException(string call)
    {
        IBufferDistributedCache cache = Cache;
        var writer = new ArrayBufferWriter<byte>();
        Action act = call switch
        {
            "Get" => () => cache.Get(null!),
            "GetAsync" => () => Begin(cache.GetAsync(null!)),
            "TryGet" => () => cache.TryGet(null!, writer),
            "TryGetAsync" => () => Begin(cache.TryGetAsync(null!, writer)),
            "Set" => () => cache.Set(null!, [1], s_none),
            "SetAsync" => () => Begin(cache.SetAsync(null!, [1], s_none)),
            "SetSequence" => () => cache.Set(null!, new ReadOnlySequence<byte>([1]), s_none),
            "SetSequenceAsync" => () => Begin(cache.SetAsync(null!, new ReadOnlySequence<byte>([1]), s_none)),
            "Refresh" => () => cache.Refresh(null!),
            "RefreshAsync" => () => Begin(cache.RefreshAsync(null!)),
            "Remove" => () => cache.Remove(null!),
            "RemoveAsync" => () => Begin(cache.RemoveAsync(null!)),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        var thrown = Assert.Throws<ArgumentNullException>(act);
        Assert.Equal("key", thrown.ParamName);
    }

    [Fact]
    public void NullValue_ThrowsArgumentNullException()
    {
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => Cache.Set("key", null!, s_none)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => Begin(Cache.SetAsync("key", null!, s_none))).ParamName);
        Assert.Null(Cache.Get("key"));
    }

    [Fact]
    public void NullOptions_ThrowsArgumentNullException()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => Cache.Set("key", [1], null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => Begin(Cache.SetAsync("key", [1], null!))).ParamName);
        Assert.Throws<ArgumentNullException>(() => Cache.Set("key", new ReadOnlySequence<byte>([1]), null!));
        Assert.Throws<ArgumentNullException>(() => Begin(Cache.SetAsync("key", new ReadOnlySequence<byte>([1]), null!)));
        Assert.Null(Cache.Get("key"));
    }

    [Fact]
    public void NullDestination_ThrowsArgumentNullException()
    {
        Cache.Set("key", [1], s_none);

        Assert.Throws<ArgumentNullException>(() => Cache.TryGet("key", null!));
        Assert.Throws<ArgumentNullException>(() => Begin(Cache.TryGetAsync("key", null!)));
    }

    /// <summary>Starts an async call whose argument check must throw synchronously; a call that returned a task
    /// instead (even a faulted one) gets past this, so the test's <c>Assert.Throws</c> fails.</summary>
    private static void Begin(Task task) => GC.KeepAlive(task);

    private static void Begin(ValueTask task) => GC.KeepAlive(task.AsTask());

    private static void Begin<T>(ValueTask<T> task) => GC.KeepAlive(task.AsTask());

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void EntryOptions_NonPositivePeriods_AreRefusedBeforeAnyCacheSeesThem(long ticks)
    {
        var options = new DistributedCacheEntryOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.AbsoluteExpirationRelativeToNow = TimeSpan.FromTicks(ticks));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SlidingExpiration = TimeSpan.FromTicks(ticks));
    }

    [Fact]
    public async Task CancelledToken_HonouredWithoutEffect_OrIgnored()
    {
        Cache.Set("present", Bytes(10), s_none);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        CancellationToken token = cancelled.Token;
        var writer = new ArrayBufferWriter<byte>();

        Func<Task>[] calls =
        [
            () => Cache.GetAsync("present", token),
            () => Cache.TryGetAsync("present", writer, token).AsTask(),
            () => Cache.SetAsync("written", Bytes(10), s_none, token),
            () => Cache.SetAsync("written-sequence", new ReadOnlySequence<byte>(Bytes(10)), s_none, token).AsTask(),
            () => Cache.RefreshAsync("present", token),
            () => Cache.RemoveAsync("present", token),
        ];

        foreach (Func<Task> call in calls)
        {
            if (HonoursCancellation)
            {
                Task task = call();
                Assert.True(task.IsCanceled, "an async call with a cancelled token must end cancelled");
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
            }
            else
            {
                await call();
            }
        }

        if (HonoursCancellation)
        {
            Assert.Equal(0, writer.WrittenCount);
            Assert.Null(Cache.Get("written"));
            Assert.Null(Cache.Get("written-sequence"));
            Assert.Equal(Bytes(10), Cache.Get("present"));
        }
        else
        {
            Assert.Equal(Bytes(10), Cache.Get("written"));
            Assert.Null(Cache.Get("present"));
        }
    }

    [Fact]
    public async Task UncancelledToken_DoesNotGetInTheWay()
    {
        using var source = new CancellationTokenSource();
        CancellationToken token = source.Token;

        await Cache.SetAsync("key", Bytes(10), s_none, token);
        await Cache.RefreshAsync("key", token);
        Assert.Equal(Bytes(10), await Cache.GetAsync("key", token));
        await Cache.RemoveAsync("key", token);
        Assert.Null(await Cache.GetAsync("key", token));
    }
}
