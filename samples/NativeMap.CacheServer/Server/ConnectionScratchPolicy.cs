using Microsoft.Extensions.ObjectPool;

namespace NativeMap.CacheServer.Server;

/// <summary>Creates and resets <see cref="ConnectionScratch"/> for the pool, counting creations (a test checks that
/// short-lived clients reuse them).</summary>
internal sealed class ConnectionScratchPolicy : PooledObjectPolicy<ConnectionScratch>
{
    private long _created;

    /// <summary>Scratch objects created so far (the pool's misses).</summary>
    public long Created => Volatile.Read(ref _created);

    public override ConnectionScratch Create()
    {
        Interlocked.Increment(ref _created);
        return new ConnectionScratch();
    }

    public override bool Return(ConnectionScratch obj) => obj.TryReset();
}
