using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>
/// <c>memory [options]</c>: runs each variant's life cycle (<see cref="MemoryChild"/>) in a child process of its own,
/// one after another (so that nothing else runs while one is timed), then writes the samples as CSV, a chart
/// (<see cref="MemoryChart"/>) and a report (<see cref="MemoryReport"/>).
/// </summary>
public static class MemoryProgram
{
    public const string Command = "memory";

    public static int Run(IReadOnlyList<string> args, TextWriter console, TextWriter errors)
    {
        MemorySettings settings;
        try
        {
            if (args.Contains("--help"))
            {
                console.Write(MemorySettings.Usage);
                return 0;
            }

            settings = MemorySettings.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            errors.WriteLine($"error: {e.Message}");
            errors.Write(MemorySettings.Usage);
            return 2;
        }

        console.WriteLine(F($"memory: {settings.Count:N0} keys of 16-40 bytes, {settings.ValueSize:N0}-byte values, decay {settings.Decay.TotalSeconds:G} s; machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        Directory.CreateDirectory(settings.OutputDirectory);
        var runs = new List<VariantRun>();
        foreach (MemoryVariant variant in settings.Variants)
        {
            var watch = Stopwatch.StartNew();
            VariantRun run = RunChild(variant, settings, errors);
            runs.Add(run);
            console.WriteLine(F($"  {variant.Name,-18} {watch.Elapsed.TotalSeconds,6:F1} s  peak RSS {run.Result("peak_rss") / MiB:F0} MiB"));
            foreach (string log in run.Logs)
            {
                console.WriteLine($"    {log}");
            }
        }

        string stem = Path.Combine(settings.OutputDirectory, settings.Stem);
        WriteCsv(stem + ".csv", runs);
        MemoryChart.Write(stem + ".png", runs, settings);
        string report = MemoryReport.Markdown(runs, settings);
        File.WriteAllText(stem + ".md", report);
        console.WriteLine();
        console.Write(report);
        console.WriteLine($"wrote {stem}.csv, .png, .md");
        return 0;
    }

    private const double MiB = 1024.0 * 1024.0;

    private static VariantRun RunChild(MemoryVariant variant, MemorySettings settings, TextWriter errors)
    {
        using var process = new Process { StartInfo = ChildStartInfo([MemoryChild.Command, variant.Name, .. settings.ChildArguments()]) };
        var run = new VariantRun(variant);
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(MemorySample.Prefix, StringComparison.Ordinal))
            {
                run.Samples.Add(MemorySample.Parse(line));
            }
            else if (line.StartsWith(MemoryChild.ResultPrefix, StringComparison.Ordinal))
            {
                string[] parts = line[MemoryChild.ResultPrefix.Length..].Split(' ');
                run.Results[parts[0]] = double.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith(MemoryChild.LogPrefix, StringComparison.Ordinal))
            {
                run.Logs.Add(line[MemoryChild.LogPrefix.Length..]);
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || !run.Results.ContainsKey("peak_rss"))
        {
            errors.Write(stderr.ToString());
            throw new InvalidOperationException($"the {variant.Name} child failed (exit code {process.ExitCode})");
        }

        return run;
    }

    /// <summary>This program again: the app host as it is, or the dotnet host with the entry assembly first.</summary>
    private static ProcessStartInfo ChildStartInfo(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var info = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry ? entry : typeof(MemoryProgram).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static void WriteCsv(string path, IReadOnlyList<VariantRun> runs)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("variant,seconds,phase,rss_bytes,gc_heap_bytes,gc_committed_bytes,heap_in_use_bytes,heap_idle_bytes,heap_released_bytes");
        foreach (VariantRun run in runs)
        {
            foreach (MemorySample s in run.Samples)
            {
                writer.WriteLine(F($"{run.Variant.Name},{s.Seconds:F3},{s.Phase},{s.Rss},{s.GcHeap},{s.GcCommitted},{s.HeapInUse},{s.HeapIdle},{s.HeapReleased}"));
            }
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
