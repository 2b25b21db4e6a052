namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>One structure under test in the memory program, each run in a child process of its own.</summary>
/// <param name="Name">The command-line and CSV name.</param>
/// <param name="Legend">What the chart and the report call it.</param>
/// <param name="Native">A <see cref="NativeBytesMap"/> (else a <c>Dictionary&lt;string, byte[]&gt;</c>).</param>
/// <param name="Compaction">For the map: how it compacts after the scattered delete.</param>
public sealed record MemoryVariant(string Name, string Legend, bool Native, CompactionChoice Compaction)
{
    public static readonly MemoryVariant Dictionary = new("dictionary", "Dictionary<string, byte[]>", Native: false, CompactionChoice.None);

    public static readonly MemoryVariant Auto = new("native", "NativeBytesMap, automatic compaction", Native: true, CompactionChoice.Automatic);

    public static readonly MemoryVariant Explicit = new("native-compact", "NativeBytesMap, Compact() + FreeOSMemory()", Native: true, CompactionChoice.Explicit);

    public static readonly MemoryVariant Off = new("native-nocompact", "NativeBytesMap, compaction off", Native: true, CompactionChoice.None);

    public static IReadOnlyList<MemoryVariant> All { get; } = [Dictionary, Auto, Explicit, Off];

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
