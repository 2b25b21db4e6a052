using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// <see cref="NativeMap{TKey, TValue}"/> on a <see cref="SpanHeap"/> of its own, so that the heap's figures are the
/// map's alone. The map frees eagerly (old arrays after growth and shrink, everything on <c>Dispose</c>); the heap keeps
/// freed pages warm for the decay and, with the scavenger on, returns them to the OS after it. The heap lives until the
/// child ends: disposing it would unmap everything and hide what the scavenger does.
/// </summary>
public sealed class NativeMapUnderTest : MapUnderTest
{
    private readonly SpanHeap _heap;

    public NativeMapUnderTest(Variant variant, TimeSpan decay)
        : this(new SpanHeap(new SpanHeapOptions
        {
            Name = variant.Name,
            ScavengeDecay = decay,
            ScavengerEnabled = variant.ScavengerEnabled,
        }))
    {
    }

    private NativeMapUnderTest(SpanHeap heap)
        : base(new NativeMap<long, long>(0, heap)) => _heap = heap;

    public override HeapStats? GetHeapStats() => _heap.IsDisposed ? null : _heap.GetStats();

    public override long FreeOSMemory() => _heap.FreeOSMemory();

    /// <summary>Nothing more: <c>Dispose()</c> has returned every page to the heap.</summary>
    protected override void OnDropped()
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _heap.Dispose();
        }
    }
}
