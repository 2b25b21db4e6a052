using NativeMap.SideBySide;

namespace NativeMap.Tests;

/// <summary>
/// The side-by-side program (perf/NativeMap.SideBySide) in its short mode, so that it cannot rot: it must run every
/// operation on both maps, find that they agree, and print a complete table. (Its figures mean nothing at this size.)
/// </summary>
public sealed class NativeMapSideBySideTests(ITestOutputHelper output)
{
    [Fact]
    public void SideBySide_ShortRun_BothMapsAgreeAndEveryRowIsPrinted()
    {
        var writer = new StringWriter();
        int exit = SideBySideProgram.Run(["--short"], writer);
        string text = writer.ToString();
        output.WriteLine(text);
        Assert.Equal(0, exit);
        Assert.Contains("| N = 50,000, ns/op | insert | hit (insertion order) | hit (shuffled) | miss | delete | slowest 4,096-insert batch | batch hit (shuffled, 64 a call) | bulk load (one SetValues) |", text);
        Assert.Contains("| `Dictionary<ulong,ulong>` |", text);
        Assert.Contains("| `NativeMap<ulong,ulong>` |", text);
        Assert.Contains("| speed vs Dictionary (x) |", text);
    }

    [Fact]
    public void SideBySide_BadArgument_ExitCode2()
    {
        var writer = new StringWriter();
        Assert.Equal(2, SideBySideProgram.Run(["--runs"], writer));
        Assert.Contains("Usage", writer.ToString());
    }

    [Fact]
    public void KeySet_PresentAndAbsentKeys_AreDistinctAndShuffledIsAPermutation()
    {
        KeySet keys = KeySet.Create(10_000);
        var present = new HashSet<ulong>(keys.Present);
        Assert.Equal(keys.Count, present.Count);
        Assert.DoesNotContain(keys.Absent, present.Contains);
        Assert.True(present.SetEquals(keys.Shuffled));
        Assert.NotEqual(keys.Present, keys.Shuffled);
    }
}
