using System.Globalization;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>One sample of a child: seconds since its start, the phase, RSS, GC heap (allocated and committed) and, for
/// the map, its heap's in-use, idle and released bytes (-1 when there is no heap).</summary>
public readonly record struct MemorySample(double Seconds, string Phase, long Rss, long GcHeap, long GcCommitted, long HeapInUse, long HeapIdle, long HeapReleased)
{
    public const string Prefix = "sample ";

    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}{Seconds:F3} {Phase} {Rss} {GcHeap} {GcCommitted} {HeapInUse} {HeapIdle} {HeapReleased}");

    public static MemorySample Parse(string line)
    {
        string[] f = line[Prefix.Length..].Split(' ');
        static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);
        return new MemorySample(double.Parse(f[0], CultureInfo.InvariantCulture), f[1], L(f[2]), L(f[3]), L(f[4]), L(f[5]), L(f[6]), L(f[7]));
    }
}
