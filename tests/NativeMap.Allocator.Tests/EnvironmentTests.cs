namespace NativeMap.Allocator.Tests;

public sealed class EnvironmentTests
{
    private static SpanHeapOptions Parse(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return SpanHeapOptions.FromEnvironment(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void FromEnvironment_Nothing_GivesDefaults()
    {
        SpanHeapOptions options = Parse();
        Assert.Equal(SpanHeapOptions.DefaultScavengeDecay, options.ScavengeDecay);
        Assert.True(options.ScavengerEnabled);
        Assert.Null(options.MemoryLimit);
        Assert.Null(options.ScavengerTrace);
        Assert.Equal("shared", options.Name);
        Assert.True(options.HugePages);
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData("on", true)]
    public void FromEnvironment_HugePages_Parses(string text, bool expected) =>
        Assert.Equal(expected, Parse(("NATIVEMAP_HUGEPAGES", text)).HugePages);

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("1.5", 1.5)]
    [InlineData("0", 0)]
    public void FromEnvironment_Decay_Parses(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse(("NATIVEMAP_SCAVENGE_DECAY", text)).ScavengeDecay);

    [Theory]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5 GiB", 3L << 29)]
    [InlineData("1000000", 1_000_000)]
    [InlineData("1GB", 1_000_000_000)]
    public void FromEnvironment_MemoryLimit_Parses(string text, long bytes) =>
        Assert.Equal(bytes, Parse(("NATIVEMAP_MEMORY_LIMIT", text)).MemoryLimit);

    [Fact]
    public void FromEnvironment_SwitchesAndDebugSettings_Parse()
    {
        SpanHeapOptions options = Parse(("NATIVEMAP_SCAVENGER", "off"), ("NATIVEMAP_MEMORY_LIMIT", "off"), ("NATIVEMAPDEBUG", "scavtrace=1, protectreleased=1"));
        Assert.False(options.ScavengerEnabled);
        Assert.Null(options.MemoryLimit);
        Assert.Same(Console.Error, options.ScavengerTrace);
        Assert.True(options.ProtectReleasedPages);
    }

    [Theory]
    [InlineData("NATIVEMAP_SCAVENGE_DECAY", "soon")]
    [InlineData("NATIVEMAP_SCAVENGE_DECAY", "-5s")]
    [InlineData("NATIVEMAP_SCAVENGE_DECAY", "3d")]
    [InlineData("NATIVEMAP_MEMORY_LIMIT", "lots")]
    [InlineData("NATIVEMAP_MEMORY_LIMIT", "12 parsecs")]
    [InlineData("NATIVEMAP_MEMORY_LIMIT", "0")]
    [InlineData("NATIVEMAP_SCAVENGER", "maybe")]
    [InlineData("NATIVEMAPDEBUG", "scavtrace")]
    [InlineData("NATIVEMAPDEBUG", "gctrace=1")]
    public void FromEnvironment_Malformed_ThrowsArgumentExceptionNamingTheVariable(string name, string value)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Parse((name, value)));
        Assert.True(error.Message.Contains(name, StringComparison.Ordinal) || error.ParamName is not null, error.Message);
    }
}
