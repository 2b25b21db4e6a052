namespace NativeMap;

/// <summary>What a <see cref="ConcurrentNativeBytesMap"/>'s memory limit counts (<see cref="ConcurrentNativeBytesMap.UsedBytes"/>).</summary>
public enum MemoryMeasure
{
    /// <summary>The heap bytes the store holds: entry blocks with their size-class rounding, bucket arrays, overflow
    /// buckets (Redis's used_memory: what the process pays for the data, short of span fragmentation).</summary>
    HeapBytes,

    /// <summary>The key and value bytes stored (headers included), without any overhead: a limit in these units
    /// evicts by the bytes the user stored, as MemoryCache's size limit counts entry sizes.</summary>
    KeyAndValueBytes,
}
