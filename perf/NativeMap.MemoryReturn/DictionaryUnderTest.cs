using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// The baseline: <see cref="Dictionary{TKey, TValue}"/>, which never shrinks (its arrays keep their size after every
/// key is removed). Dropped the fairest way: the reference cleared and one blocking <see cref="GC.Collect()"/> at once,
/// which a real service would not do — without it the arrays stay until the GC next runs a gen-2 collection.
/// </summary>
public sealed class DictionaryUnderTest() : MapUnderTest(new Dictionary<long, long>())
{
    public override HeapStats? GetHeapStats() => null;

    public override long FreeOSMemory() => throw new InvalidOperationException("Dictionary has no SpanHeap.");

    protected override void OnDropped() => GC.Collect();
}
