using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using NativeMap.Allocator;

namespace NativeMap.Caching;

/// <summary>
/// An <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> whose entries live in native memory,
/// outside the GC heap, in a sharded byte-string store on a <see cref="SpanHeap"/> whose free pages go back to the
/// operating system. The semantics are <c>MemoryDistributedCache</c>'s, so it replaces it with one registration line
/// (<c>services.AddNativeDistributedCache()</c>), and <c>HybridCache</c> uses it as its second level.
/// </summary>
/// <remarks>
/// <para><b>Semantics</b> (the conformance suite runs the same tests against <c>MemoryDistributedCache</c> and this):
/// keys are compared ordinally; absolute, relative-to-now and sliding expiration follow <c>MemoryCache</c> to the tick
/// (<see cref="EntryLifetime"/>): an entry is gone when its deadline is reached, a read or <see cref="Refresh"/> moves
/// a sliding entry's deadline to now + period but never past its absolute expiration, and a write whose deadline has
/// already passed stores nothing and removes the old value. Expired entries are never returned; a background scan
/// every <see cref="NativeDistributedCacheOptions.ExpirationScanInterval"/> reclaims their memory, a bounded number
/// of entries per shard at a time.</para>
/// <para><b>Where it differs, by design:</b></para>
/// <list type="bullet">
/// <item>Values are copied in and out. The reference keeps the caller's array and hands the same array to every
/// reader, so a caller that changes it changes the cache.</item>
/// <item>Cancellation is honoured: an async call with a cancelled token returns a cancelled task and does nothing. The
/// reference ignores the token. (Every operation is synchronous underneath; a token cannot stop one half-way.)</item>
/// <item>The size limit evicts the least recently used entries (sampled LRU, as Redis's) to make room, and the write is
/// stored. The reference refuses the write and compacts on the thread pool. Both refuse an entry larger than the whole
/// limit, and drop the value it would have replaced. The limit counts keys, values, headers and per-entry overhead, not
/// value bytes alone.</item>
/// <item>A relative or sliding period so long that the deadline overflows means "never"; the reference throws.</item>
/// <item>It is <see cref="IDisposable"/>: disposing frees the native memory at once; afterwards every call throws
/// <see cref="ObjectDisposedException"/>. A cache never disposed is freed when the GC finds it unreachable (by its
/// store's and heap's finalizers; the expiration scan holds it only weakly).</item>
/// </list>
/// <para><b>Allocation.</b> <see cref="TryGet"/>, <see cref="TryGetAsync"/>, <see cref="Set(string, ReadOnlySequence{byte}, DistributedCacheEntryOptions)"/>,
/// <see cref="SetAsync(string, ReadOnlySequence{byte}, DistributedCacheEntryOptions, CancellationToken)"/>,
/// <see cref="Refresh"/> and <see cref="Remove"/> allocate nothing on the GC heap: keys are encoded on the stack (or
/// into a pooled buffer past <see cref="CacheKey.StackBufferBytes"/>), values go straight from the sequence into native
/// memory and from native memory into the caller's writer. <see cref="Get"/> allocates the array it returns.</para>
/// <para><b>Threads.</b> Every member is thread-safe; operations on one key are atomic with respect to each other.
/// <see cref="TryGet"/> writes into the destination while it holds the entry's shard lock: the destination must not
/// call back into this cache.</para>
/// </remarks>
public sealed partial class NativeDistributedCache : IBufferDistributedCache, IDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes every cache's entries,
    /// bytes, hits, misses, evictions and expirations (tagged <c>cache</c>): <c>dotnet-counters monitor --counters NativeMap.Caching</c>.</summary>
    public const string MeterName = "NativeMap.Caching";

    private static int s_unnamed;

    private readonly TimeProvider _clock;

    /// <summary>Creates a cache with default options (<see cref="NativeDistributedCacheOptions"/>).</summary>
    public NativeDistributedCache()
        : this(new NativeDistributedCacheOptions())
    {
    }

    /// <summary>Creates a cache with the given options, as the options pattern hands them over.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (<see cref="NativeDistributedCacheOptions.Validate"/>).</exception>
    public NativeDistributedCache(IOptions<NativeDistributedCacheOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        NativeDistributedCacheOptions settings = options.Value ?? throw new ArgumentNullException(nameof(options));
        settings.Validate();

        _clock = settings.TimeProvider;
        Name = settings.Name ?? $"cache-{Interlocked.Increment(ref s_unnamed)}";
        SizeLimit = settings.SizeLimit;
        OwnsHeap = settings.Heap is null;
        Heap = settings.Heap ?? new SpanHeap(new SpanHeapOptions
        {
            Name = Name,
            ScavengeDecay = settings.ScavengeDecay,
            MemoryLimit = settings.MemoryLimit,
        });

        try
        {
            _store = CreateStore(settings);
        }
        catch
        {
            if (OwnsHeap)
            {
                Heap.Dispose();
            }

            throw;
        }

        CacheMetrics.Register(this);
    }

    /// <summary>The cache's name: the <c>cache</c> tag of its metrics.</summary>
    public string Name { get; }

    /// <summary>The heap the entries live in: the cache's own unless <see cref="NativeDistributedCacheOptions.Heap"/>
    /// gave one. Its statistics (<see cref="SpanHeap.GetStats"/>) show the memory held, idle and returned to the OS.</summary>
    public SpanHeap Heap { get; }

    /// <summary>The size limit in bytes (<see cref="NativeDistributedCacheOptions.SizeLimit"/>); null when there is none.</summary>
    public long? SizeLimit { get; }

    private bool OwnsHeap { get; }

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = new ReadState(_clock, null, allocate: true, touchOnly: false);
        return Read(key, ref state) ? state.Array : null;
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no read.</remarks>
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return token.IsCancellationRequested ? Task.FromCanceled<byte[]?>(token) : Task.FromResult(Get(key));
    }

    /// <inheritdoc/>
    /// <remarks>Appends the value to <paramref name="destination"/> (one <c>GetSpan(length)</c>, one <c>Advance</c>)
    /// and returns true, or writes nothing and returns false. Allocates nothing.</remarks>
    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(destination);
        var state = new ReadState(_clock, destination, allocate: false, touchOnly: false);
        return Read(key, ref state);
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no read.</remarks>
    public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(destination);
        return token.IsCancellationRequested ? ValueTask.FromCanceled<bool>(token) : new ValueTask<bool>(TryGet(key, destination));
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        Write(key, new ReadOnlySequence<byte>(value), options);
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no write.</remarks>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled(token);
        }

        Write(key, new ReadOnlySequence<byte>(value), options);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Copies the sequence, however many segments it has, straight into native memory. Allocates nothing.</remarks>
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        Write(key, value, options);
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no write.</remarks>
    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (token.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(token);
        }

        Write(key, value, options);
        return default;
    }

    /// <inheritdoc/>
    /// <remarks>Moves a sliding entry's deadline as a read would, without copying the value; does nothing to an entry
    /// without sliding expiration, or to an absent or expired one.</remarks>
    public void Refresh(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = new ReadState(_clock, null, allocate: false, touchOnly: true);
        Read(key, ref state);
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no refresh.</remarks>
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled(token);
        }

        Refresh(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        RemoveCore(key);
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously; a cancelled <paramref name="token"/> gives a cancelled task and no removal.</remarks>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled(token);
        }

        RemoveCore(key);
        return Task.CompletedTask;
    }

    /// <summary>A snapshot of the cache's contents and counters (what the <c>NativeMap.Caching</c> meter publishes).</summary>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public NativeDistributedCacheStatistics GetStatistics()
    {
        if (!TryGetStatistics(out NativeDistributedCacheStatistics statistics))
        {
            ThrowHelper.ThrowObjectDisposed();
        }

        return statistics;
    }

    /// <summary>
    /// Compacts the whole cache now, one store shard at a time: every entry that sits in a sparse heap span moves into
    /// a fuller span of its size class, so that the sparse spans empty and go back to the OS after the heap's decay.
    /// The automatic mode (<see cref="NativeDistributedCacheOptions.Compaction"/>) does the same a little at a time;
    /// this is for a caller that has just removed most entries and wants the memory back without waiting for writes.
    /// Every entry keeps its value and lifetime; other calls wait at most one shard's pass.
    /// </summary>
    /// <returns>The bytes of the entry blocks moved.</returns>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply a block for a move (the cache stays consistent;
    /// the entries moved until then stay moved).</exception>
    public long Compact() => Store.Compact();

    /// <summary>
    /// Stops the expiration scan and frees every entry's native memory now (and the heap, when it is the cache's own).
    /// Calls made afterwards throw <see cref="ObjectDisposedException"/>. Calling it twice does nothing.
    /// </summary>
    public void Dispose()
    {
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"NativeDistributedCache({Name})";

    private long UtcNowTicks => _clock.GetUtcNow().UtcTicks;

    /// <summary>What a read callback needs: where the value goes (a writer, a new array, or nowhere for a refresh)
    /// and the clock, read only for a sliding entry (an entry without one never needs the time here: the store checks
    /// deadlines itself, and a clock read costs about 35 ns).</summary>
    private struct ReadState(TimeProvider clock, IBufferWriter<byte>? destination, bool allocate, bool touchOnly)
    {
        public readonly TimeProvider Clock = clock;
        public readonly IBufferWriter<byte>? Destination = destination;
        public readonly bool Allocate = allocate;
        public readonly bool TouchOnly = touchOnly;
        public byte[]? Array;
    }

    /// <summary>Copies a value out under the shard lock and moves a sliding deadline: runs inside the store's read.</summary>
    private static long OnRead(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, long deadline, ref ReadState state)
    {
        if (!state.TouchOnly)
        {
            if (state.Allocate)
            {
                state.Array = payload.ToArray();
            }
            else
            {
                IBufferWriter<byte> destination = state.Destination!;
                payload.CopyTo(destination.GetSpan(payload.Length));
                destination.Advance(payload.Length);
            }
        }

        return header.Length == SlidingHeader.Size ? SlidingHeader.Touch(header, state.Clock.GetUtcNow().UtcTicks, deadline) : deadline;
    }
}
