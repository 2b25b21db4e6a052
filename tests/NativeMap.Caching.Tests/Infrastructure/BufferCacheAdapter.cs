using System.Buffers;

namespace NativeMap.Caching.Tests.Infrastructure;

/// <summary>
/// The buffer interface over a cache that has only the array one (as <c>MemoryDistributedCache</c>), by the obvious
/// copies: it lets the conformance suite's buffer-path tests run against the reference implementation too, so their
/// expectations are proven on it before they judge ours.
/// </summary>
public sealed class BufferCacheAdapter(IDistributedCache inner) : IBufferDistributedCache, IDisposable
{
    public IDistributedCache Inner => inner;

    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        byte[]? value = inner.Get(key);
        if (value is null)
        {
            return false;
        }

        destination.Write(value);
        return true;
    }

    public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default) =>
        new(TryGet(key, destination));

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => inner.Set(key, value.ToArray(), options);

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return default;
    }

    public byte[]? Get(string key) => inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        inner.SetAsync(key, value, options, token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
