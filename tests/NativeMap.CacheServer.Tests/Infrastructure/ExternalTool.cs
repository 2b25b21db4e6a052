using System.Diagnostics;
using System.Text;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>
/// Runs redis-cli and redis-benchmark (Debian's <c>redis-tools</c>, which <c>.ci/run</c> installs) with a deadline.
/// A missing tool fails the test with the install command rather than skipping it: CI must not pass without them.
/// </summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static string Find(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: apt-get install -y redis-tools (.ci/run does this).");
    }

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        var startInfo = new ProcessStartInfo(Find(tool))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', startInfo.ArgumentList)} did not finish in time.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>redis-cli against <paramref name="port"/>, raw output (no type annotations), one command.</summary>
    public static async Task<string> CliAsync(int port, params string[] command)
    {
        Result result = await RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli exited with {result.ExitCode}: {result.Error}");
        }

        return result.Output.TrimEnd('\n');
    }

    public static string Describe(Result result) => new StringBuilder()
        .Append("exit ").Append(result.ExitCode).AppendLine()
        .AppendLine(result.Output)
        .AppendLine(result.Error)
        .ToString();
}
