namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>One structure under test in the memory program, each run in a child process of its own.</summary>
/// <param name="Name">The command-line and CSV name.</param>
/// <param name="Legend">What the chart and the report call it.</param>
/// <param name="Native">A <see cref="NativeBytesMap"/> (else a <c>Dictionary&lt;string, byte[]&gt;</c>).</param>
/// <param name="Compaction">For the map: how it compacts after the scattered delete.</param>
/// <param name="Concurrent">A <see cref="ConcurrentNativeBytesMap"/> (shards of maps) instead of one map.</param>
public sealed record MemoryVariant(string Name, string Legend, bool Native, CompactionChoice Compaction, bool Concurrent = false)
{
    public static readonly MemoryVariant Dictionary = new("dictionary", "Dictionary<string, byte[]>", Native: false, CompactionChoice.None);

    public static readonly MemoryVariant Auto = new("native", "NativeBytesMap, automatic compaction", Native: true, CompactionChoice.Automatic);

    public static readonly MemoryVariant Explicit = new("native-compact", "NativeBytesMap, Compact() + FreeOSMemory()", Native: true, CompactionChoice.Explicit);

    public static readonly MemoryVariant Off = new("native-nocompact", "NativeBytesMap, compaction off", Native: true, CompactionChoice.None);

    /// <summary>The concurrent store (the cache's and the server's), automatic per-shard compaction; not in the default run.</summary>
    public static readonly MemoryVariant Store = new("store", "ConcurrentNativeBytesMap, automatic compaction", Native: true, CompactionChoice.Automatic, Concurrent: true);

    /// <summary>The variants a run without <c>--variants</c> measures.</summary>
    public static IReadOnlyList<MemoryVariant> Default { get; } = [Dictionary, Auto, Explicit, Off];

    public static IReadOnlyList<MemoryVariant> All { get; } = [Dictionary, Auto, Explicit, Off, Store];

    public static MemoryVariant Find(string name) =>
        All.FirstOrDefault(v => v.Name == name) ?? throw new ArgumentException($"no variant '{name}' (known: {string.Join(", ", All.Select(v => v.Name))})");
}

/// <summary>What a variant does about fragmentation after the scattered delete.</summary>
public enum CompactionChoice
{
    /// <summary>Nothing (the dictionary: a forced, compacting GC; the map: compaction off).</summary>
    None,

    /// <summary>The map's automatic compaction, with no call.</summary>
    Automatic,

    /// <summary><c>Compact()</c> and then <c>FreeOSMemory()</c>.</summary>
    Explicit,
}
