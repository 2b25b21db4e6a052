using NativeMap.CacheServer.Load;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>
/// The server in a process of its own (its RSS is then its own): load about 200 MB, FLUSHALL, and RSS falls back
/// within the heap's decay with no further command. Polled with a deadline, not timed.
/// </summary>
public class MemoryReturnTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FlushAll_RssFallsBackWithinTheDecay()
    {
        var settings = new LoadSettings { Mode = "memory", OutputDirectory = Path.GetTempPath(), Decay = TimeSpan.FromSeconds(2), RedisServer = null };
        await using ServerProcess server = await ServerProcess.StartAsync(ServerKind.NativeMap, settings);
        long baseline = server.ResidentBytes();
        await LoadGenerator.LoadAsync(server.Port, keys: 200_000, valueSize: 1000, settings);
        long loaded = server.ResidentBytes();
        long growth = loaded - baseline;
        output.WriteLine($"baseline {baseline >> 20} MiB, loaded {loaded >> 20} MiB");
        Assert.True(growth > 150L << 20, $"loading 200 MB grew RSS by only {growth >> 20} MiB");

        Assert.Equal("OK", await LoadGenerator.CallAsync(server.Port, "FLUSHALL"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long target = baseline + (growth / 10);
        long rss;
        while ((rss = server.ResidentBytes()) > target)
        {
            Assert.True(clock.Elapsed < settings.Decay + TimeSpan.FromSeconds(15),
                $"RSS {rss >> 20} MiB still above {target >> 20} MiB {clock.Elapsed.TotalSeconds:F1} s after FLUSHALL");
            await Task.Delay(100);
        }

        output.WriteLine($"RSS {rss >> 20} MiB, within 10 % of the growth, {clock.Elapsed.TotalSeconds:F1} s after FLUSHALL (decay {settings.Decay.TotalSeconds} s)");
    }
}
