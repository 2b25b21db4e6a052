using System.Globalization;
using System.Text.RegularExpressions;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>redis-cli and redis-benchmark from Debian's redis-tools against the server.</summary>
public partial class RedisToolsTests
{
    [Fact]
    public async Task RedisCli_Commands()
    {
        await using TestServer server = await TestServer.StartAsync();
        Assert.Equal("PONG", await ExternalTool.CliAsync(server.Port, "PING"));
        Assert.Equal("hello world", await ExternalTool.CliAsync(server.Port, "ECHO", "hello world"));
        Assert.Contains("redis_version:", await ExternalTool.CliAsync(server.Port, "INFO", "server"));
        Assert.Equal("(error) ERR unknown command 'NOPE', with args beginning with: ",
            (await ExternalTool.RunAsync("redis-cli", ["-p", server.Port.ToString(CultureInfo.InvariantCulture), "--no-raw", "NOPE"])).Output.TrimEnd('\n'));
    }

    [Fact]
    public async Task RedisCli_ReadsCommandsFromStandardInput_Pipelined()
    {
        await using TestServer server = await TestServer.StartAsync();
        string input = string.Concat(Enumerable.Range(0, 500).Select(i => $"ECHO {i}\n"));
        ExternalTool.Result result = await ExternalTool.RunAsync("redis-cli", ["-p", server.Port.ToString(CultureInfo.InvariantCulture)], input);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString(CultureInfo.InvariantCulture)), result.Output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task RedisCli_WithPassword()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { RequirePass = "pw" });
        ExternalTool.Result denied = await ExternalTool.RunAsync("redis-cli", ["-p", server.Port.ToString(CultureInfo.InvariantCulture), "PING"]);
        Assert.Contains("NOAUTH", denied.Output + denied.Error);
        ExternalTool.Result allowed = await ExternalTool.RunAsync("redis-cli",
            ["-p", server.Port.ToString(CultureInfo.InvariantCulture), "--no-auth-warning", "-a", "pw", "PING"]);
        Assert.Equal("PONG", allowed.Output.Trim());
    }

    [Fact]
    public async Task RedisBenchmark_PipelinedPing_EveryRequestAnswered()
    {
        await using TestServer server = await TestServer.StartAsync();
        ExternalTool.Result result = await ExternalTool.RunAsync("redis-benchmark",
            ["-p", server.Port.ToString(CultureInfo.InvariantCulture), "-t", "ping", "-n", "20000", "-c", "10", "-P", "16", "-q"],
            timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, ExternalTool.Describe(result));
        Assert.Matches(RequestsPerSecond(), result.Output);
        using RawClient client = server.Connect();
        string stats = client.Call("INFO", "stats").Text!;
        long processed = long.Parse(Regex.Match(stats, @"total_commands_processed:(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(processed >= 40_000, $"{processed} commands processed"); // PING_INLINE and PING_MBULK, 20,000 each
    }

    [GeneratedRegex(@"PING_MBULK: [\d.]+ requests per second")]
    private static partial Regex RequestsPerSecond();
}
