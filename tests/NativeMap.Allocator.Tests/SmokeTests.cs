namespace NativeMap.Allocator.Tests;

public sealed unsafe class SmokeTests
{
    [Fact]
    public void Allocate_Free_RoundTrips()
    {
        using var heap = new SpanHeap();
        void* p = heap.Allocate(64);
        *(long*)p = 42;
        heap.Free(p);
        heap.Validate();
    }
}
