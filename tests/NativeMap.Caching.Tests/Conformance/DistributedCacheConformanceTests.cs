using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using NativeMap.Caching.Tests.Infrastructure;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// The conformance suite: what any <see cref="IDistributedCache"/> must do, written once and run against
/// <c>MemoryDistributedCache</c> (the reference, so every expectation here is proven on it first) and against
/// <c>NativeDistributedCache</c>. The expectations come from the reference's source (dotnet/runtime
/// <c>MemoryDistributedCache</c>, <c>MemoryCache</c>, <c>CacheEntry</c>) and the interface documentation.
/// </summary>
/// <remarks>
/// <para>Each test gets a fresh cache on a fresh fake clock (<see cref="Clock"/>): no test sleeps for an expiration.</para>
/// <para>Where the two caches may differ, the difference is a documented property of the subclass, never a branch on
/// a type: <see cref="HonoursCancellation"/> (the reference ignores tokens) and <see cref="EvictsOnWrite"/> (the
/// reference refuses a write past its size limit and compacts on the thread pool; ours evicts at once).</para>
/// <para>Files: this one (set-up, helpers, round trips), <c>.Expiration</c>, <c>.Arguments</c> (bad input and
/// cancellation), <c>.Concurrency</c>, <c>.Eviction</c>, <c>.Hybrid</c> (HybridCache over the cache as its L2).</para>
/// </remarks>
public abstract partial class DistributedCacheConformanceTests : IDisposable
{
    /// <summary>The fake clock's start: any fixed instant; a round one makes failures easy to read.</summary>
    protected static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IDisposable> _owned = [];
    private IBufferDistributedCache? _cache;

    protected DistributedCacheConformanceTests()
    {
        Clock = new FakeTimeProvider(Start);
    }

    public static TheoryData<AccessMode> Modes => new() { AccessMode.Sync, AccessMode.Async, AccessMode.Buffer, AccessMode.BufferAsync };

    /// <summary>The test's clock; every cache the test makes reads it.</summary>
    protected FakeTimeProvider Clock { get; }

    /// <summary>The cache under test, made on first use with no size limit worth mentioning.</summary>
    protected IBufferDistributedCache Cache => _cache ??= Own(CreateCache(Clock, sizeLimit: null));

    /// <summary>Whether a cancelled token makes an async call end cancelled, without effect. The reference ignores
    /// the token (its async methods run synchronously and never look at it).</summary>
    protected virtual bool HonoursCancellation => false;

    /// <summary>Whether a write past the size limit evicts the least recently used entries at once and is stored. The
    /// reference instead refuses the write and starts a compaction on the thread pool; the write succeeds when repeated
    /// after it.</summary>
    protected virtual bool EvictsOnWrite => false;

    /// <summary>Makes a cache on <paramref name="clock"/>. <paramref name="sizeLimit"/> is in the implementation's own
    /// unit (see <see cref="SizeLimitFor"/>); null means the implementation's default, which every test stays far below.</summary>
    protected abstract IBufferDistributedCache CreateCache(TimeProvider clock, long? sizeLimit);

    /// <summary>The size limit at which the cache holds exactly <paramref name="entries"/> entries of this shape and
    /// no more: the reference counts value bytes only; ours counts keys, values and per-entry overhead.</summary>
    protected abstract long SizeLimitFor(int entries, int keyLength, int valueLength);

    /// <summary>The cache as HybridCache should see it: HybridCache ignores an L2 whose type is exactly
    /// <c>MemoryDistributedCache</c> (it would duplicate L1), so the reference is handed over behind its adapter.</summary>
    protected virtual IDistributedCache AsHybridL2(IBufferDistributedCache cache) => cache;

    protected T Own<T>(T cache)
        where T : class
    {
        if (cache is IDisposable disposable)
        {
            _owned.Add(disposable);
        }

        return cache;
    }

    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected static byte[] Bytes(int length, int seed = 1)
    {
        byte[] value = new byte[length];
        new Random(seed).NextBytes(value);
        return value;
    }

    protected static DistributedCacheEntryOptions Sliding(TimeSpan period) => new() { SlidingExpiration = period };

    protected static DistributedCacheEntryOptions Relative(TimeSpan period) => new() { AbsoluteExpirationRelativeToNow = period };

    protected static DistributedCacheEntryOptions At(DateTimeOffset when) => new() { AbsoluteExpiration = when };

    protected static Task<byte[]?> Get(IBufferDistributedCache cache, AccessMode mode, string key) => mode switch
    {
        AccessMode.Sync => Task.FromResult(cache.Get(key)),
        AccessMode.Async => cache.GetAsync(key),
        AccessMode.Buffer => ReadThroughWriter(key, (k, w) => new ValueTask<bool>(cache.TryGet(k, w))),
        AccessMode.BufferAsync => ReadThroughWriter(key, (k, w) => cache.TryGetAsync(k, w)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    protected Task<byte[]?> Get(AccessMode mode, string key) => Get(Cache, mode, key);

    /// <summary>Reads into a writer that already holds a marker byte and starts one byte long, so the cache must ask
    /// for the space it needs (<c>GetSpan(sizeHint)</c>) and append after what is there.</summary>
    private static async Task<byte[]?> ReadThroughWriter(string key, Func<string, IBufferWriter<byte>, ValueTask<bool>> read)
    {
        var writer = new ArrayBufferWriter<byte>(1);
        writer.Write<byte>([0xA5]);
        bool found = await read(key, writer);
        Assert.Equal(0xA5, writer.WrittenSpan[0]);
        if (!found)
        {
            Assert.Equal(1, writer.WrittenCount);
            return null;
        }

        return writer.WrittenSpan[1..].ToArray();
    }

    protected static Task Set(IBufferDistributedCache cache, AccessMode mode, string key, byte[] value, DistributedCacheEntryOptions? options = null)
    {
        options ??= new DistributedCacheEntryOptions();
        switch (mode)
        {
            case AccessMode.Sync:
                cache.Set(key, value, options);
                return Task.CompletedTask;
            case AccessMode.Async:
                return cache.SetAsync(key, value, options);
            case AccessMode.Buffer:
                cache.Set(key, Segments.Split(value, 3), options);
                return Task.CompletedTask;
            case AccessMode.BufferAsync:
                return cache.SetAsync(key, Segments.Split(value, 3), options).AsTask();
            default:
                throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }

    protected Task Set(AccessMode mode, string key, byte[] value, DistributedCacheEntryOptions? options = null) => Set(Cache, mode, key, value, options);

    protected Task Refresh(AccessMode mode, string key)
    {
        if (mode is AccessMode.Async or AccessMode.BufferAsync)
        {
            return Cache.RefreshAsync(key);
        }

        Cache.Refresh(key);
        return Task.CompletedTask;
    }

    protected Task Remove(AccessMode mode, string key)
    {
        if (mode is AccessMode.Async or AccessMode.BufferAsync)
        {
            return Cache.RemoveAsync(key);
        }

        Cache.Remove(key);
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Get_MissingKey_ReturnsNull(AccessMode mode)
    {
        Assert.Null(await Get(mode, "absent"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_ThenGet_ReturnsTheValue(AccessMode mode)
    {
        byte[] value = Bytes(100);
        await Set(mode, "key", value);

        Assert.Equal(value, await Get(mode, "key"));
        Assert.Equal(value, Cache.Get("key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_ExistingKey_ReplacesTheValue(AccessMode mode)
    {
        await Set(mode, "key", Bytes(100, seed: 1));
        await Set(mode, "key", Bytes(1000, seed: 2));
        Assert.Equal(Bytes(1000, seed: 2), await Get(mode, "key"));

        await Set(mode, "key", Bytes(10, seed: 3));
        Assert.Equal(Bytes(10, seed: 3), await Get(mode, "key"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Set_EmptyValue_ReadsBackEmptyNotNull(AccessMode mode)
    {
        await Set(mode, "empty", []);

        byte[]? read = await Get(mode, "empty");
        Assert.NotNull(read);
        Assert.Empty(read);
    }

    [Theory]
    [InlineData(AccessMode.Sync, 32 * 1024 + 1)]
    [InlineData(AccessMode.Async, (1 << 20) + 3)]
    [InlineData(AccessMode.Buffer, (1 << 20) + 3)]
    [InlineData(AccessMode.BufferAsync, 8 << 20)]
    public async Task Set_LargeValue_RoundTrips(AccessMode mode, int length)
    {
        byte[] value = Bytes(length, seed: length);
        await Set(mode, "large", value);

        Assert.Equal(value, await Get(mode, "large"));
        await Remove(mode, "large");
        Assert.Null(await Get(mode, "large"));
    }

    [Fact]
    public void Keys_AreComparedOrdinally()
    {
        // Distinct strings, some of which an encoder that replaced invalid UTF-16 would merge: lone surrogates become
        // U+FFFD, and so equal "\uFFFD" and each other.
        string[] keys =
        [
            "", "a", "A", "a ", "ключ", "键", "😀", "\uD83D", "\uDE00", "\uDE00\uD83D", "\uFFFD", "\uD800", "\uDBFF",
            "a\0b", "a\0c", new string('x', 10_000), new string('x', 10_001),
        ];
        for (int i = 0; i < keys.Length; i++)
        {
            Cache.Set(keys[i], BitConverter.GetBytes(i), new DistributedCacheEntryOptions());
        }

        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(BitConverter.GetBytes(i), Cache.Get(keys[i]));
        }

        Assert.Null(Cache.Get("\uFFFD\uFFFD"));
        Assert.Null(Cache.Get("b"));
    }

    [Fact]
    public void ManyKeys_EachReadsBackItsOwnValue()
    {
        const int Count = 5_000;
        for (int i = 0; i < Count; i++)
        {
            Cache.Set($"key:{i}", CheckedValue.Create(i, 1, i % 300), new DistributedCacheEntryOptions());
        }

        for (int i = 0; i < Count; i++)
        {
            Assert.Null(CheckedValue.Check(i, Cache.Get($"key:{i}")));
        }

        for (int i = 0; i < Count; i += 2)
        {
            Cache.Remove($"key:{i}");
        }

        for (int i = 0; i < Count; i++)
        {
            byte[]? value = Cache.Get($"key:{i}");
            if (i % 2 == 0)
            {
                Assert.Null(value);
            }
            else
            {
                Assert.Null(CheckedValue.Check(i, value));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Remove_DeletesTheEntry(AccessMode mode)
    {
        await Set(mode, "key", Bytes(10));
        await Set(mode, "other", Bytes(10, seed: 2));

        await Remove(mode, "key");

        Assert.Null(await Get(mode, "key"));
        Assert.Equal(Bytes(10, seed: 2), await Get(mode, "other"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Remove_MissingKey_DoesNothing(AccessMode mode)
    {
        await Remove(mode, "absent");
        Assert.Null(await Get(mode, "absent"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Refresh_MissingKey_DoesNothing(AccessMode mode)
    {
        await Refresh(mode, "absent");
        Assert.Null(await Get(mode, "absent"));
    }

    [Fact]
    public void Set_AfterRemove_StoresAgain()
    {
        Cache.Set("key", Bytes(10), new DistributedCacheEntryOptions());
        Cache.Remove("key");
        Cache.Set("key", Bytes(20, seed: 9), new DistributedCacheEntryOptions());

        Assert.Equal(Bytes(20, seed: 9), Cache.Get("key"));
    }
}
