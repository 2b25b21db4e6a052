using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NativeMap.Caching.Tests.Infrastructure;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>The conformance suite against the reference, <c>MemoryDistributedCache</c>: proof that every expectation
/// in it is what .NET's own implementation does.</summary>
public sealed class MemoryDistributedCacheConformanceTests : DistributedCacheConformanceTests
{
    protected override IBufferDistributedCache CreateCache(TimeProvider clock, long? sizeLimit)
    {
        var options = new MemoryDistributedCacheOptions { Clock = new TimeProviderClock(clock) };
        if (sizeLimit is { } limit)
        {
            options.SizeLimit = limit;
        }

        return new BufferCacheAdapter(new MemoryDistributedCache(Options.Create(options)));
    }

    /// <summary>MemoryDistributedCache gives each entry the size of its value (<c>Size = value.Length</c>).</summary>
    protected override long SizeLimitFor(int entries, int keyLength, int valueLength) => (long)entries * valueLength;
}
