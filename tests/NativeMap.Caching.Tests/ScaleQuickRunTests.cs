using System.Diagnostics;
using System.Text.Json;
using NativeMap.Caching.Benchmarks.Scale;

namespace NativeMap.Caching.Tests;

/// <summary>
/// The perf program's short mode (<c>scale --quick</c>: 20,000 entries, both caches, each in a child process) runs to
/// the end and reports figures that hold at any scale: both caches measured, every throughput positive, our cache's GC
/// heap a small fraction of the reference's, and its native heap back to (almost) nothing after the decay. Speed is
/// not asserted: that is the program's job at full size, under the exclusive CPU lock.
/// </summary>
public sealed class ScaleQuickRunTests
{
    /// <summary>The program in its own build output (bin/CONFIG/TFM of the perf project, as this test's is), which
    /// has its own dependencies (a copy next to the tests would resolve MemoryDistributedCache from the ASP.NET Core
    /// framework the tests reference, which the program's runtime configuration does not load).</summary>
    private static string ProgramPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = here.Name;
        string configuration = here.Parent!.Name;
        DirectoryInfo root = here;
        while (!File.Exists(Path.Combine(root.FullName, "NativeMap.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("NativeMap.sln not found above " + AppContext.BaseDirectory);
        }

        string path = Path.Combine(root.FullName, "perf", "NativeMap.Caching.Benchmarks", "bin", configuration, tfm, "NativeMap.Caching.Benchmarks.dll");
        Assert.True(File.Exists(path), $"{path} is built with the tests (project reference)");
        return path;
    }

    [Fact]
    public async Task QuickRun_MeasuresBothCaches()
    {
        DirectoryInfo output = Directory.CreateTempSubdirectory("nativemap-caching-scale-");
        try
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(ProgramPath());
            foreach (string arg in new[] { "scale", "--quick", "--out", output.FullName })
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("scale --quick did not finish within 3 minutes");
            }

            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stdout} {await stderr}");
            ScaleResult[] results = JsonSerializer.Deserialize<ScaleResult[]>(File.ReadAllText(Path.Combine(output.FullName, "scale.json")))!;
            ScaleResult memory = Assert.Single(results, r => r.Cache == "memory");
            ScaleResult native = Assert.Single(results, r => r.Cache == "native");
            foreach (ScaleResult r in results)
            {
                Assert.Equal(20_000, r.Entries);
                Assert.All(new[] { r.FillMops, r.Get1Mops, r.Get2Mops, r.Set1Mops, r.Set2Mops }, m => Assert.True(m > 0));
                Assert.True(r.Gen2PauseMs > 0);
                Assert.True(r.RssAfterThinBytes > 0 && r.RssAfterThinWaitBytes > 0, "the scattered-delete phase ran");
            }

            Assert.True(native.SpanRatioAfterThinWait >= 1, "the native heap's spans were read after the scattered delete");

            Assert.True(native.ManagedHeapBytes * 5 < memory.ManagedHeapBytes, $"GC heap: ours {native.ManagedHeapBytes}, theirs {memory.ManagedHeapBytes}");
            Assert.True(native.NativeInUseBytes > 20_000L * 100, "the entries live in the native heap");
            Assert.True(native.NativeResidentAfterWaitBytes < native.NativeInUseBytes / 2, "the native heap gave its pages back after the decay");
            Assert.Contains("| 20,000 × 100 B | native |", File.ReadAllText(Path.Combine(output.FullName, "scale.md")), StringComparison.Ordinal);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
