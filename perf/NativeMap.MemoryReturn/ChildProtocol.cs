using System.Globalization;

namespace NativeMap.MemoryReturn;

/// <summary>
/// The lines a child and the orchestrator exchange over the child's standard input and output. Child to orchestrator:
/// <c>@ready</c>, <c>@sample FIELDS</c> (<see cref="Sample.Format"/>), <c>@done STEP SECONDS</c>, <c>@log TEXT</c>.
/// Orchestrator to child: <c>go STEP</c>. Anything else a child prints is passed on as a log line, never parsed.
/// </summary>
public static class ChildProtocol
{
    public const string Ready = "@ready";
    public const string SamplePrefix = "@sample ";
    public const string DonePrefix = "@done ";
    public const string LogPrefix = "@log ";
    public const string GoPrefix = "go ";

    public static void WriteReady(TextWriter output) => output.WriteLine(Ready);

    public static void WriteSample(TextWriter output, Sample sample) => output.WriteLine(SamplePrefix + sample.Format());

    public static void WriteDone(TextWriter output, string step, TimeSpan took) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DonePrefix}{step} {took.TotalSeconds:F3}"));

    public static void WriteLog(TextWriter output, string text) => output.WriteLine(LogPrefix + text);

    public static void WriteGo(TextWriter input, string step)
    {
        input.WriteLine(GoPrefix + step);
        input.Flush();
    }

    /// <summary>Blocks until the orchestrator says <c>go <paramref name="step"/></c>.</summary>
    /// <exception cref="InvalidOperationException">The orchestrator closed the pipe or said something else.</exception>
    public static void WaitForGo(TextReader input, string step)
    {
        string? line = input.ReadLine()
            ?? throw new InvalidOperationException($"standard input closed while waiting for '{GoPrefix}{step}': the orchestrator is gone");
        if (line != GoPrefix + step)
        {
            throw new InvalidOperationException($"expected '{GoPrefix}{step}' from the orchestrator, got '{line}'");
        }
    }

    /// <summary>Parses a <c>@done</c> line's rest: the step and how long the child took for it.</summary>
    /// <exception cref="FormatException">The text is not STEP SECONDS.</exception>
    public static (string Step, TimeSpan Took) ParseDone(string rest)
    {
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !double.TryParse(rest.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            throw new FormatException($"malformed '{DonePrefix}' line: '{rest}'");
        }

        return (rest[..space], TimeSpan.FromSeconds(seconds));
    }
}
