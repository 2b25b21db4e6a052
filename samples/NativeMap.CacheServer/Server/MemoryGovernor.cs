using NativeMap.Allocator;

namespace NativeMap.CacheServer.Server;

/// <summary>
/// Turns <c>maxmemory</c> into the store's memory limit.
/// </summary>
/// <remarks>
/// <para><b>Why not hand maxmemory to the store as it is.</b> Redis's <c>maxmemory</c> bounds what its allocator holds,
/// and a redis-server process is its data plus about 8 MB, so an operator who sets 256 MB gets a process of about
/// 270 MB. This process also carries the .NET runtime (code, JIT, type data, the managed heap with the connections'
/// pipe buffers): about 45 MB idle and 65 MB with 50 busy clients, measured. Given maxmemory as the store's limit it
/// would sit at 1.25x the setting. So when <see cref="CacheServerOptions.MaxMemoryIncludesProcess"/> is on (the
/// default), maxmemory bounds the whole process: the store's limit is maxmemory minus the process overhead, measured
/// every 100 ms as RSS minus the heap's resident pages (in use + idle), but never less than a quarter of maxmemory (a
/// tiny maxmemory would otherwise leave the store nothing). INFO's <c>used_memory</c> stays what the heap holds for the
/// store; <c>maxmemory_store</c> and <c>process_overhead</c> show the split.</para>
/// <para><b>Idle pages.</b> Pages the heap keeps warm for its decay are resident but not the store's; while RSS is over
/// maxmemory they are returned to the OS at once (<see cref="SpanHeap.FreeOSMemory"/>), as a heap memory limit would.</para>
/// </remarks>
internal sealed class MemoryGovernor
{
    private readonly ServerContext _server;

    /// <summary>Serialises <see cref="Update"/>: the housekeeping timer and CONFIG SET may call it at once.</summary>
    private readonly Lock _gate = new();
    private long _overhead;
    private long _storeLimit;

    public MemoryGovernor(ServerContext server)
    {
        _server = server;
    }

    /// <summary>From the last update: RSS minus the heap's resident pages (what the process holds besides the store),
    /// and the limit given to the store (0 = none), read together.</summary>
    public (long ProcessOverhead, long StoreLimit) Snapshot()
    {
        lock (_gate)
        {
            return (_overhead, _storeLimit);
        }
    }

    /// <summary>Recomputes the store's limit from maxmemory and the process overhead, and returns idle pages while the
    /// process is over maxmemory. Called every 100 ms and whenever maxmemory or its policy changes.</summary>
    public void Update()
    {
        lock (_gate)
        {
            UpdateUnsynchronized();
        }
    }

    private void UpdateUnsynchronized()
    {
        ConcurrentNativeBytesMap store = _server.Store;
        long maxMemory = _server.Settings.MaxMemory;
        long limit = maxMemory;
        if (maxMemory > 0 && _server.Options.MaxMemoryIncludesProcess)
        {
            long rss = ProcessMemory.GetResidentBytes();
            HeapStats heap = _server.Heap.GetStats();
            long overhead = Math.Max(0, rss - heap.ResidentBytes);
            _overhead = overhead;
            limit = Math.Max(maxMemory - overhead, maxMemory / 4);
            if (rss > maxMemory && heap.IdleBytes > 0)
            {
                _server.Heap.FreeOSMemory();
            }
        }

        _storeLimit = limit;
        if (store.MemoryLimit != limit)
        {
            store.MemoryLimit = limit;
        }

        store.EvictionPolicy = _server.Settings.Policy;
    }
}
