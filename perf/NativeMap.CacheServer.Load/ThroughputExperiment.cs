using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// redis-benchmark against each server in turn, fresh process each time: the issue's
/// <c>-t set,get,mget,mset,incr -d 100 -n 1000000 -c 50 -P 16 -r 1000000 -q</c> (redis-benchmark 7 has no MGET test
/// and skips that name silently), then MGET of 10 random keys as a custom command with the same options, then all of it
/// again without pipelining (<c>-P 1</c>). Each server is fresh for each round and warmed up identically first
/// (<see cref="WarmUpAsync"/>). Rounds alternate which server goes first.
/// </summary>
public static partial class ThroughputExperiment
{
    public sealed record Figure(string Server, int Round, int Pipeline, string Test, double RequestsPerSecond);

    public static async Task<List<Figure>> RunAsync(LoadSettings settings, IReadOnlyList<ServerKind> kinds, TextWriter log)
    {
        var figures = new List<Figure>();
        for (int round = 1; round <= settings.Rounds; round++)
        {
            IEnumerable<ServerKind> order = round % 2 == 1 ? kinds : kinds.Reverse();
            foreach (ServerKind kind in order)
            {
                await using ServerProcess server = await ServerProcess.StartAsync(kind, settings).ConfigureAwait(false);
                await WarmUpAsync(server, settings).ConfigureAwait(false);
                foreach (int pipeline in new[] { 16, 1 })
                {
                    int requests = pipeline == 1 ? settings.BenchmarkRequestsUnpipelined : settings.BenchmarkRequests;
                    string[] common = ["-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-d", "100",
                        "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", "50", "-P", pipeline.ToString(CultureInfo.InvariantCulture),
                        "-r", "1000000", "-q"];
                    string standard = await RunBenchmarkAsync([.. common, "-t", "set,get,mget,mset,incr"]).ConfigureAwait(false);
                    string mget = await RunBenchmarkAsync([.. common, "MGET", .. Enumerable.Repeat("key:__rand_int__", 10)]).ConfigureAwait(false);
                    foreach ((string test, double rps) in Parse(standard).Concat(Parse(mget).Select(p => ("MGET (10 keys)", p.Rps))))
                    {
                        figures.Add(new Figure(server.Name, round, pipeline, test, rps));
                        log.WriteLine($"  round {round} {server.Name,-22} -P {pipeline,-2} {test,-16} {rps,12:N0} req/s");
                    }
                }
            }
        }

        return figures;
    }

    /// <summary>
    /// The same short load on each fresh server before it is measured: a .NET server compiles its hot paths in tiers
    /// during its first requests, which a benchmark of a freshly started process would otherwise include; redis-server
    /// gets the identical warm-up (it leaves it with the same keys).
    /// </summary>
    private static async Task WarmUpAsync(ServerProcess server, LoadSettings settings)
    {
        string[] common = ["-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-d", "100",
            "-n", (settings.BenchmarkRequests / 5).ToString(CultureInfo.InvariantCulture), "-c", "50", "-P", "16", "-r", "1000000", "-q"];
        await RunBenchmarkAsync([.. common, "-t", "set,get,mset,incr"]).ConfigureAwait(false);
        await RunBenchmarkAsync([.. common, "MGET", .. Enumerable.Repeat("key:__rand_int__", 10)]).ConfigureAwait(false);
    }

    private static IEnumerable<(string Test, double Rps)> Parse(string output)
    {
        foreach (Match match in ResultLine().Matches(output))
        {
            yield return (match.Groups[1].Value.Trim(), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
    }

    private static async Task<string> RunBenchmarkAsync(string[] arguments)
    {
        var startInfo = new ProcessStartInfo("redis-benchmark")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start redis-benchmark");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-benchmark exited with {process.ExitCode}: {await error.ConfigureAwait(false)}");
        }

        // -q prints progress with carriage returns; the final figure of each test follows the last one.
        return output.Replace('\r', '\n');
    }

    [GeneratedRegex(@"^([A-Z_]+(?: \(\d+ keys\))?|\S.*?): ([\d.]+) requests per second", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
