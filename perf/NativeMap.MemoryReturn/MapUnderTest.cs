using System.Runtime.CompilerServices;
using NativeMap.Allocator;

namespace NativeMap.MemoryReturn;

/// <summary>
/// The map a child process fills, empties and drops: a <see cref="Dictionary{TKey, TValue}"/> or a
/// <see cref="NativeMap{TKey, TValue}"/> on a <see cref="SpanHeap"/> of its own. Keys go in and out through
/// <see cref="IDictionary{TKey, TValue}"/>: an interface call costs a few nanoseconds per key, the same for both, and
/// this program measures memory, not speed (perf/NativeMap.Benchmarks measures speed).
/// </summary>
public abstract class MapUnderTest : IDisposable
{
    // The map until Drop. A field, not a local, so that clearing it really drops the last reference whatever the JIT
    // does with locals.
    private IDictionary<long, long>? _map;

    protected MapUnderTest(IDictionary<long, long> map) => _map = map;

    /// <summary>The number of entries; 0 after <see cref="Drop"/>.</summary>
    public int Count => _map?.Count ?? 0;

    /// <summary>Creates the map of <paramref name="variant"/>, empty and with no capacity hint.</summary>
    public static MapUnderTest Create(Variant variant, TimeSpan decay) =>
        variant.UsesSpanHeap ? new NativeMapUnderTest(variant, decay) : new DictionaryUnderTest();

    /// <summary>Adds every key of <paramref name="keys"/> (the value is the key's index).</summary>
    public void Fill(in KeySequence keys)
    {
        IDictionary<long, long> map = Live();
        for (int i = 0; i < keys.Count; i++)
        {
            map.Add(keys.KeyAt(i), i);
        }
    }

    /// <summary>Removes the keys at steps [<paramref name="from"/>, <paramref name="to"/>) of the removal order.</summary>
    public void Remove(in KeySequence keys, int from, int to)
    {
        IDictionary<long, long> map = Live();
        for (int step = from; step < to; step++)
        {
            map.Remove(keys.KeyRemovedAt(step));
        }
    }

    /// <summary>Lets the map go, the way its variant does: the map is disposed if it is disposable, the last reference
    /// to it is cleared, then <see cref="OnDropped"/> runs.</summary>
    public void Drop()
    {
        ReleaseMap();
        OnDropped();
    }

    /// <summary>The heap's figures, or null when the variant has no <see cref="SpanHeap"/>.</summary>
    public abstract HeapStats? GetHeapStats();

    /// <summary><see cref="SpanHeap.FreeOSMemory"/>: the bytes released.</summary>
    /// <exception cref="InvalidOperationException">The variant has no <see cref="SpanHeap"/>.</exception>
    public abstract long FreeOSMemory();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs after the map is released and no frame references it any more.</summary>
    protected abstract void OnDropped();

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _map is not null)
        {
            ReleaseMap();
        }
    }

    // Not inlined, and the only place that holds the map in a local: Drop runs once, so it runs as unoptimised Tier-0
    // code, where the JIT keeps every local alive to the end of the method. A GC.Collect() in a frame that still held
    // the dictionary would not free it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseMap()
    {
        IDictionary<long, long> map = Live();
        _map = null;
        (map as IDisposable)?.Dispose();
    }

    private IDictionary<long, long> Live() => _map ?? throw new InvalidOperationException("The map was dropped.");
}
