using System.Diagnostics;
using System.Threading.Channels;

namespace NativeMap.MemoryReturn;

/// <summary>
/// One variant's child process, seen from the orchestrator: it reads the child's standard output on a task of its own
/// (samples are kept; <c>@ready</c> and <c>@done</c> become events the orchestrator waits for; log lines are printed),
/// keeps the last lines of its standard error for the error message, and kills the child if it is disposed while the
/// child still runs.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int StandardErrorLinesKept = 40;

    private readonly Process _process;
    private readonly TextWriter _log;
    private readonly List<Sample> _samples = [];
    private readonly List<string> _notes = [];
    private readonly Queue<string> _standardError = new();
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly Task _reader;

    private ChildProcess(Variant variant, Process process, TextWriter log)
    {
        Variant = variant;
        _process = process;
        _log = log;
        _process.ErrorDataReceived += OnStandardError;
        _process.BeginErrorReadLine();
        _reader = Task.Run(ReadStandardOutputAsync);
    }

    public Variant Variant { get; }

    /// <summary>The samples received so far. Complete once <see cref="WaitForExitAsync"/> has returned.</summary>
    public IReadOnlyList<Sample> Samples => _samples;

    /// <summary>What the child reported with <c>@log</c> (for the summary). Complete once <see cref="WaitForExitAsync"/>
    /// has returned.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Starts the child for <paramref name="variant"/>.</summary>
    public static ChildProcess Start(Variant variant, RunSettings settings, TextWriter log)
    {
        ProcessStartInfo startInfo = SelfLauncher.StartInfo(settings.ToChildArguments(variant));
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new MemoryReturnException($"cannot start the child for {variant.Name} ({startInfo.FileName}): {e.Message}", e);
        }

        return new ChildProcess(variant, process, log);
    }

    /// <summary>Tells the child to run <paramref name="step"/>.</summary>
    public void Go(string step)
    {
        try
        {
            ChildProtocol.WriteGo(_process.StandardInput, step);
        }
        catch (IOException e)
        {
            throw Failure($"could not start step '{step}' (its standard input is closed)", e);
        }
    }

    /// <summary>Waits for the child to report <paramref name="expected"/> (<c>@ready</c>, or a step name for
    /// <c>@done</c>), and returns the rest of that line.</summary>
    /// <exception cref="MemoryReturnException">The child ended, hung past <paramref name="timeout"/>, or reported
    /// something else.</exception>
    public async Task<string> WaitForAsync(string expected, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        string line;
        try
        {
            line = await _events.Reader.ReadAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw Failure($"did not report '{expected}' within {timeout.TotalSeconds:F0} s");
        }
        catch (ChannelClosedException e) when (e.InnerException is { } broken)
        {
            throw Failure($"wrote a line the orchestrator cannot read ({broken.Message})", e);
        }
        catch (ChannelClosedException)
        {
            await WaitForExitCoreAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            throw Failure($"ended before it reported '{expected}'");
        }

        if (line == ChildProtocol.Ready ? expected != ChildProtocol.Ready : !line.StartsWith(ChildProtocol.DonePrefix + expected + " ", StringComparison.Ordinal))
        {
            throw Failure($"reported '{line}' while the orchestrator waited for '{expected}'");
        }

        return line;
    }

    /// <summary>Waits for the child to exit by itself and for its output to be read to the end.</summary>
    /// <exception cref="MemoryReturnException">It did not exit in time, or exited with a non-zero code.</exception>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        if (!await WaitForExitCoreAsync(timeout).ConfigureAwait(false))
        {
            throw Failure($"did not exit within {timeout.TotalSeconds:F0} s of its last step");
        }

        if (_process.ExitCode != 0)
        {
            throw Failure("failed");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    private async Task<bool> WaitForExitCoreAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
            await _reader.WaitAsync(cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReadStandardOutputAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith(ChildProtocol.SamplePrefix, StringComparison.Ordinal))
                {
                    _samples.Add(Sample.Parse(line.AsSpan(ChildProtocol.SamplePrefix.Length)));
                }
                else if (line == ChildProtocol.Ready || line.StartsWith(ChildProtocol.DonePrefix, StringComparison.Ordinal))
                {
                    _events.Writer.TryWrite(line);
                }
                else
                {
                    string text = line;
                    if (line.StartsWith(ChildProtocol.LogPrefix, StringComparison.Ordinal))
                    {
                        text = line[ChildProtocol.LogPrefix.Length..];
                        _notes.Add(text);
                    }

                    lock (_log)
                    {
                        _log.WriteLine($"  [{Variant.Name}] {text}");
                    }
                }
            }

            _events.Writer.TryComplete();
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            _events.Writer.TryComplete(e);
        }
    }

    private void OnStandardError(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_standardError)
        {
            _standardError.Enqueue(e.Data);
            if (_standardError.Count > StandardErrorLinesKept)
            {
                _standardError.Dequeue();
            }
        }
    }

    private MemoryReturnException Failure(string what, Exception? inner = null)
    {
        string exit = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        string standardError;
        lock (_standardError)
        {
            standardError = _standardError.Count == 0
                ? ""
                : Environment.NewLine + "  its standard error ends:" + Environment.NewLine + "    " + string.Join(Environment.NewLine + "    ", _standardError);
        }

        string message = $"child '{Variant.Name}' {what}{exit}{standardError}";
        return inner is null ? new MemoryReturnException(message) : new MemoryReturnException(message, inner);
    }
}
