namespace NativeMap;

/// <summary>An entry a sample or scan picked: its bucket hash (<see cref="NativeBytesMap.SlotHash"/>) and its block.</summary>
internal readonly unsafe struct SampledEntry
{
    public SampledEntry(ulong hash, byte* entry)
    {
        Hash = hash;
        Entry = entry;
    }

    /// <summary>Enough of the hash to find the slot again: tophash in the top byte, hash word in the low 32 bits.</summary>
    public ulong Hash { get; }

    /// <summary>The entry block; valid only while the map has not freed or moved it.</summary>
    public byte* Entry { get; }
}
