using System.Runtime.CompilerServices;

namespace NativeMap;

/// <summary>Eight <see cref="EnumerationCandidate"/>s stored inline in an enumerator (no GC allocation).</summary>
[InlineArray(Length)]
internal struct CandidateBuffer
{
    /// <summary>Capacity of the buffer.</summary>
    public const int Length = 8;

    private EnumerationCandidate _element0;
}
