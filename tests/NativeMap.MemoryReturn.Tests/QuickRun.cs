using System.Diagnostics;
using System.Text;

namespace NativeMap.MemoryReturn.Tests;

/// <summary>
/// One run of the program with <c>--quick</c>, as a child process (<c>dotnet NativeMap.MemoryReturn.dll --quick --out
/// TEMP</c>), shared by the tests of <see cref="QuickRunCollection"/>. The program polls for the scavenger itself (its
/// idle phase waits, up to a deadline, for the heap to have no idle pages), so nothing here depends on timing.
/// </summary>
public sealed class QuickRun : IDisposable
{
    /// <summary>A --quick run takes about 10 s on the reference 2-core machine; this leaves room for a loaded one.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(150);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nativemap-memory-return-test-");

    public QuickRun()
    {
        string program = typeof(Variant).Assembly.Location;
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(program);
        startInfo.ArgumentList.Add("--quick");
        startInfo.ArgumentList.Add("--out");
        startInfo.ArgumentList.Add(_directory.FullName);

        var standardOutput = new StringBuilder();
        var standardError = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using (var process = new Process { StartInfo = startInfo })
        {
            process.OutputDataReceived += (_, e) => Append(standardOutput, e.Data);
            process.ErrorDataReceived += (_, e) => Append(standardError, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(s_timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"'{program} --quick' did not finish within {s_timeout.TotalSeconds:F0} s.{Environment.NewLine}{standardOutput}{standardError}");
            }

            process.WaitForExit(); // drains the asynchronous readers
            ExitCode = process.ExitCode;
        }

        Elapsed = clock.Elapsed;
        StandardOutput = standardOutput.ToString();
        StandardError = standardError.ToString();
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} --quick' exited with {ExitCode}.{Environment.NewLine}{StandardOutput}{Environment.NewLine}{StandardError}");
        }

        Timelines = TimelineCsv.Read(FilePath(TimelineCsv.FileName));
        Summaries = Timelines.ToDictionary(t => t.Variant, VariantSummary.From);
    }

    public int ExitCode { get; }

    public TimeSpan Elapsed { get; }

    public string StandardOutput { get; }

    public string StandardError { get; }

    public IReadOnlyList<VariantTimeline> Timelines { get; }

    public IReadOnlyDictionary<string, VariantSummary> Summaries { get; }

    /// <summary>The keys each variant held at its peak.</summary>
    public static int Count => RunSettings.QuickCount;

    public string FilePath(string name) => Path.Combine(_directory.FullName, name);

    public VariantTimeline Timeline(Variant variant) => Timelines.Single(t => t.Variant == variant.Name);

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Leave it for the OS's temp cleaning.
        }
    }

    /// <summary>The dotnet host that runs these tests (the one the SDK names, else this process if it is dotnet,
    /// else the one on PATH).</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }
}
