using System.Diagnostics;
using System.Globalization;

namespace NativeMap.CacheServer.Load;

/// <summary>
/// Connection churn: several threads each connect, send PING, read PONG and close, over and over for a fixed time;
/// reports connections per second and, for NativeMap.CacheServer, the managed bytes its process allocated per
/// connection (INFO memory <c>managed_allocated_total</c>). This is the workload where pooling per-connection objects
/// could pay; the figures decide whether it does.
/// </summary>
public static class ChurnExperiment
{
    public sealed record Figures(string Server, long Connections, double Seconds, double AllocatedBytesPerConnection);

    public static async Task<Figures> RunAsync(ServerKind kind, LoadSettings settings, TextWriter log)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(kind, settings).ConfigureAwait(false);
        TimeSpan duration = settings.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);

        // Warm up (JIT, pools), then measure.
        await ChurnAsync(server.Port, 4, TimeSpan.FromSeconds(settings.Quick ? 0.5 : 2)).ConfigureAwait(false);
        long allocatedBefore = await AllocatedAsync(server).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        long connections = await ChurnAsync(server.Port, 4, duration).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        long allocatedAfter = await AllocatedAsync(server).ConfigureAwait(false);
        double perConnection = allocatedBefore < 0 ? double.NaN : (allocatedAfter - allocatedBefore) / (double)connections;
        log.WriteLine($"  {server.Name}: {connections / seconds:N0} connections/s" +
            (double.IsNaN(perConnection) ? "" : $", {perConnection:N0} managed bytes allocated per connection"));
        return new Figures(server.Name, connections, seconds, perConnection);
    }

    private static async Task<long> AllocatedAsync(ServerProcess server)
    {
        string? value = await LoadGenerator.InfoFieldAsync(server.Port, "managed_allocated_total").ConfigureAwait(false);
        return value is null ? -1 : long.Parse(value, CultureInfo.InvariantCulture);
    }

    private static async Task<long> ChurnAsync(int port, int threads, TimeSpan duration)
    {
        long total = 0;
        DateTime end = DateTime.UtcNow + duration;
        var tasks = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            long mine = 0;
            while (DateTime.UtcNow < end)
            {
                using RespClient client = RespClient.ConnectAsync(port).GetAwaiter().GetResult();
                client.Append("PING");
                client.Flush();
                if (client.ReadText() != "PONG")
                {
                    throw new InvalidOperationException("PING did not answer PONG");
                }

                mine++;
            }

            Interlocked.Add(ref total, mine);
        }, TaskCreationOptions.LongRunning));
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return total;
    }
}
