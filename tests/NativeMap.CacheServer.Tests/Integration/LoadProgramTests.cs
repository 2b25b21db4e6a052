using NativeMap.CacheServer.Load;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>The perf program's --quick mode end to end (NativeMap.CacheServer only: CI has no redis-server): every
/// mode runs, checks its replies, and writes its tables and chart.</summary>
public class LoadProgramTests
{
    [Fact]
    public async Task QuickRun_AllModes_WriteTheirResults()
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("cache-server-load-");
        try
        {
            int exit = await NativeMap.CacheServer.Load.Program.Main(["all", "--quick", "--no-redis", "--out", directory.FullName]);
            Assert.Equal(0, exit);
            foreach (string file in new[] { Report.ThroughputFile, Report.MemoryFile, Report.EvictionFile, Report.TimelineFile, RssChart.FileName })
            {
                Assert.True(File.Exists(Path.Combine(directory.FullName, file)), $"{file} missing");
            }

            string memory = await File.ReadAllTextAsync(Path.Combine(directory.FullName, Report.MemoryFile));
            Assert.Contains("NativeMap.CacheServer", memory);
            string throughput = await File.ReadAllTextAsync(Path.Combine(directory.FullName, Report.ThroughputFile));
            Assert.Contains("| SET |", throughput);
            Assert.Contains("| MGET (10 keys) |", throughput);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
