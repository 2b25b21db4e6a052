namespace NativeMap.MemoryReturn;

/// <summary>
/// <c>dotnet run -c Release --project perf/NativeMap.MemoryReturn -- [--quick] [--n N] [--out DIR]</c>: runs the
/// memory-return experiment (see <see cref="CommandLine.Usage"/>). The same program is each variant's child process,
/// started with <c>--child VARIANT</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args, Environment.CurrentDirectory);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message} (--help lists the options)").ConfigureAwait(false);
            return 2;
        }

        if (commandLine.ShowHelp)
        {
            await Console.Out.WriteAsync(CommandLine.Usage).ConfigureAwait(false);
            return 0;
        }

        if (commandLine.Child is { } variant)
        {
            // A child's failure is an exception with its stack trace on standard error, which the orchestrator shows.
            return ChildRun.Run(commandLine.Settings, variant, Console.In, Console.Out);
        }

        try
        {
            return await Orchestrator.RunAsync(commandLine.Settings, args, Console.Out).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MemoryReturnException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
