namespace NativeMap;

/// <summary>An entry an enumerator has lined up: its hash and its slot (bucket address | slot index, as bucket addresses are 8-aligned).</summary>
internal readonly record struct EnumerationCandidate(ulong Hash, nint Slot);
