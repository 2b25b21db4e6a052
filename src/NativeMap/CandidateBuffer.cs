using System.Runtime.CompilerServices;

namespace NativeMap;

/// <summary>Sixteen <see cref="EnumerationCandidate"/>s stored inline in an enumerator (no GC allocation).</summary>
/// <remarks>Sixteen so that nearly every bucket fits whole: chains average at most 6.5 entries (the growth load), and
/// fewer than 1 in 1,000 hold more than 16 at that load.</remarks>
[InlineArray(Length)]
internal struct CandidateBuffer
{
    /// <summary>Capacity of the buffer.</summary>
    public const int Length = 16;

    private EnumerationCandidate _element0;
}

/// <summary>Copies of the keys of the <see cref="CandidateBuffer"/> entries, stored inline in an enumerator.</summary>
[InlineArray(CandidateBuffer.Length)]
internal struct KeyBuffer<TKey>
    where TKey : unmanaged
{
    private TKey _element0;
}
