using System.Diagnostics;
using NativeMap.BytesBenchmarks.Memory;

namespace NativeMap.BytesBenchmarks.Tests;

/// <summary>
/// The memory program's quick mode, run as CI runs it: each variant's child process goes through every phase, and the
/// CSV, chart and report come out with the figures the README quotes. (The figures themselves come from the full runs
/// in perf/; a quick run on a shared machine only shows that the program works and that compaction moves entries.)
/// </summary>
public sealed class MemoryProgramTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "bytes-memory-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public MemoryProgramTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public async Task QuickRun_EveryPhaseOfEveryVariant_AndTheResultFiles()
    {
        string program = Path.Combine(AppContext.BaseDirectory, "NativeMap.BytesBenchmarks.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { program, "memory", "--quick", "--variants", "dictionary,native-compact", "--out", _out })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string console = await process.StandardOutput.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            await process.WaitForExitAsync(deadline.Token); // throws OperationCanceledException if the run hangs
        }

        _output.WriteLine(console);
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await errors}");

        var settings = new MemorySettings { Quick = true, Count = 20_000 };
        string[] csv = File.ReadAllLines(Path.Combine(_out, settings.Stem + ".csv"));
        string[] phases = ["baseline", "fill", "gen2", "delete90", "compact", "decay", "clear", "decay2"];
        foreach (string variant in new[] { "dictionary", "native-compact" })
        {
            var rows = csv.Skip(1).Select(line => line.Split(',')).Where(f => f[0] == variant).ToList();
            Assert.All(phases, phase => Assert.Contains(rows, f => f[2] == phase));
            Assert.All(rows, f => Assert.True(long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture) > 0));
        }

        Assert.True(new FileInfo(Path.Combine(_out, settings.Stem + ".png")).Length > 10_000);
        string report = File.ReadAllText(Path.Combine(_out, settings.Stem + ".md"));
        Assert.Contains("| Dictionary<string, byte[]> |", report, StringComparison.Ordinal);
        Assert.Contains("| forced gen2 ms |", report, StringComparison.Ordinal);
        Assert.Matches(@"Compact\(\): [1-9][\d,]* entries", report); // the scattered delete left something to move
    }

    [Fact]
    public void Keys_AreDistinctAsciiOf16To40Bytes()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 100_000; i++)
        {
            string key = KeySet.String(i);
            Assert.InRange(key.Length, 16, 40);
            Assert.True(key.All(c => c < 128));
            Assert.True(seen.Add(key));
            Assert.Equal(key, System.Text.Encoding.ASCII.GetString(KeySet.Bytes(i)));
        }

        Assert.True(seen.Select(k => k.Length).Distinct().Count() == 25);
    }
}
