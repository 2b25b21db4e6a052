using System.Runtime.InteropServices;

namespace NativeMap.Allocator;

// TEMPORARY STUB for map development: NativeMemory-backed, validates frees. Replaced by the real span heap.
internal sealed unsafe class HeapCore : IDisposable
{
    private static int s_count;
    private readonly Dictionary<nuint, nuint> _live = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    public HeapCore(SpanHeapOptions options)
    {
        Options = options;
        Name = options.Name ?? $"heap-{Interlocked.Increment(ref s_count)}";
    }

    public SpanHeapOptions Options { get; }
    public string Name { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed);

    public void* Allocate(nuint size, bool zero)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (size > SpanHeap.MaxAllocationSize) throw new OutOfMemoryException();
        nuint n = size == 0 ? 1 : size;
        void* p = zero ? NativeMemory.AllocZeroed(n) : NativeMemory.Alloc(n);
        lock (_lock) _live.Add((nuint)p, n);
        return p;
    }

    public void Free(void* ptr)
    {
        if (ptr == null) return;
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_lock)
        {
            if (!_live.Remove((nuint)ptr)) throw new ArgumentException("Pointer is not a live block of this heap.", nameof(ptr));
        }
        NativeMemory.Free(ptr);
    }

    public nuint GetAllocatedSize(void* ptr)
    {
        lock (_lock) return _live.TryGetValue((nuint)ptr, out var n) ? n : throw new ArgumentException("not live", nameof(ptr));
    }

    public long FreeOSMemory() { ObjectDisposedException.ThrowIf(IsDisposed, this); return 0; }

    public HeapStats GetStats()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_lock)
        {
            long bytes = 0;
            foreach (var v in _live.Values) bytes += (long)v;
            return new HeapStats { InUseBytes = bytes, AllocatedBytes = bytes, LiveObjects = _live.Count, ReservedBytes = bytes };
        }
    }

    public void Validate() { }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var p in _live.Keys) NativeMemory.Free((void*)p);
            _live.Clear();
        }
    }
}
