using System.Runtime.CompilerServices;

namespace NativeMap.Allocator;

// Thread caches: finding this thread's cache for this heap, the registry of all of them, and draining.
internal sealed unsafe partial class HeapCore
{
    /// <summary>This thread's most recently used cache: one load and one compare when a thread uses one heap.</summary>
    [ThreadStatic]
    private static ThreadCache? t_lastCache;

    /// <summary>This thread's caches, indexed by heap slot.</summary>
    [ThreadStatic]
    private static ThreadCache?[]? t_caches;

    /// <summary>Every live cache of this heap; guarded by <see cref="_cachesLock"/>.</summary>
    private readonly List<ThreadCache> _caches = [];
    private readonly Lock _cachesLock = new();

    /// <summary>One drainer at a time: FreeOSMemory, maintenance, validation, dispose.</summary>
    private readonly Lock _drainLock = new();

    // Counters of caches whose threads died, guarded by _cachesLock.
    private long _retiredObjects;
    private long _retiredBytes;

    private ThreadCache GetCache()
    {
        ThreadCache? cache = t_lastCache;
        return cache is not null && cache.Heap == this ? cache : GetCacheSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // once per thread and heap switch
    private ThreadCache GetCacheSlow()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SpanHeap));
        }

        ThreadCache?[] caches = t_caches ??= new ThreadCache?[Math.Max(4, _slot + 1)];
        if (_slot >= caches.Length)
        {
            Array.Resize(ref caches, Math.Max(_slot + 1, caches.Length * 2));
            t_caches = caches;
        }

        ThreadCache? cache = caches[_slot];
        if (cache is null || cache.Heap != this)
        {
            cache = new ThreadCache(this, Thread.CurrentThread, _central);
            lock (_cachesLock)
            {
                _caches.Add(cache);
            }

            caches[_slot] = cache;
        }

        t_lastCache = cache;
        return cache;
    }

    /// <summary>
    /// Returns blocks held in thread caches to the central lists: every cache when <paramref name="all"/>, otherwise
    /// the caches of dead threads (which are also forgotten) and caches with no refill or flush since the last call.
    /// </summary>
    private void DrainCaches(bool all)
    {
        lock (_drainLock)
        {
            var selected = new List<ThreadCache>();
            lock (_cachesLock)
            {
                for (int i = _caches.Count - 1; i >= 0; i--)
                {
                    ThreadCache cache = _caches[i];
                    long slowOperations = cache.SlowOperations;
                    bool dead = !cache.Owner.IsAlive;
                    bool idle = slowOperations == cache.LastSeenSlowOperations;
                    cache.LastSeenSlowOperations = slowOperations;
                    if (dead)
                    {
                        // The owner is gone: its counters move to the retired totals, its blocks are drained below.
                        (long objects, long bytes) = cache.LiveCounts();
                        _retiredObjects += objects;
                        _retiredBytes += bytes;
                        _caches.RemoveAt(i);
                    }

                    if ((all || dead || idle) && !cache.IsEmpty)
                    {
                        selected.Add(cache);
                    }
                }
            }

            if (selected.Count == 0)
            {
                return;
            }

            HoldAll(selected);
            try
            {
                foreach (ThreadCache cache in selected)
                {
                    cache.Drain();
                }
            }
            finally
            {
                ReleaseAll(selected);
            }
        }
    }

    /// <summary>Holds caches (see <see cref="ThreadCache"/>): after this, no owner is inside an operation.</summary>
    private static void HoldAll(List<ThreadCache> caches)
    {
        foreach (ThreadCache cache in caches)
        {
            cache.BeginHold();
        }

        Interlocked.MemoryBarrierProcessWide();
        foreach (ThreadCache cache in caches)
        {
            cache.WaitUntilInactive();
        }
    }

    private static void ReleaseAll(List<ThreadCache> caches)
    {
        foreach (ThreadCache cache in caches)
        {
            cache.EndHold();
        }
    }

    /// <summary>Live objects and bytes counted by the thread caches (including retired ones), and the managed bytes of
    /// the caches' stacks. Racy under load.</summary>
    private (long Objects, long Bytes, long CacheBytes) CacheCounters()
    {
        lock (_cachesLock)
        {
            long objects = _retiredObjects, bytes = _retiredBytes, cacheBytes = 0;
            foreach (ThreadCache cache in _caches)
            {
                (long o, long b) = cache.LiveCounts();
                objects += o;
                bytes += b;
                cacheBytes += cache.EntryBytes();
            }

            return (objects, bytes, cacheBytes);
        }
    }

    /// <summary>A thread cache began to hold blocks.</summary>
    internal void NotifyCacheActivity() => _pages.Scavenger?.NotifyCacheActivity();

    /// <summary>Whether any thread cache holds blocks or any central list retains an empty span (racy; for scheduling).</summary>
    internal bool HasCachedBlocks()
    {
        lock (_cachesLock)
        {
            foreach (ThreadCache cache in _caches)
            {
                if (!cache.IsEmpty)
                {
                    return true;
                }
            }
        }

        foreach (CentralList? central in _central)
        {
            if (central is not null && !central.RetainedEmpty.IsNull)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>On dispose: every cache is held for good, so a thread that still has one never touches the heap again.</summary>
    private void RetireAllCaches()
    {
        lock (_drainLock)
        {
            lock (_cachesLock)
            {
                foreach (ThreadCache cache in _caches)
                {
                    cache.BeginHold();
                }

                Interlocked.MemoryBarrierProcessWide();
                foreach (ThreadCache cache in _caches)
                {
                    cache.WaitUntilInactive();
                    cache.Abandon();
                }

                _caches.Clear();
            }
        }
    }
}
