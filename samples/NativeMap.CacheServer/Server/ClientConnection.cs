using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using NativeMap.CacheServer.Commands;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Server;

/// <summary>
/// One client: reads requests from its <see cref="PipeReader"/>, runs each as it completes, and writes the replies
/// into its <see cref="PipeWriter"/>, in order.
/// </summary>
/// <remarks>
/// <para><b>The loop.</b> Each read hands over whatever the socket had: often many pipelined requests. They are parsed
/// and executed one after another, synchronously, with their arguments still in the receive buffer (zero copy); the
/// replies accumulate in the writer, and one flush (one <c>send</c>) answers the whole batch. Only when a batch's
/// replies grow past <see cref="FlushThresholdBytes"/> (say, an MGET of large values) is the writer flushed before the
/// batch ends, so memory stays bounded without a flush per command. The reader is advanced past whole requests only;
/// a request cut by the read boundary stays in the buffer and the parser resumes it (<see cref="RequestParser"/>).</para>
/// <para><b>Closing.</b> A protocol error is answered, then the connection closes (Redis's close-after-reply); QUIT
/// likewise. A client that disconnects mid-request leaves nothing behind: its partial request only ever lived in the
/// pipe's buffers, which are returned when the pipes complete, and no command ran for it.</para>
/// <para><b>Threads.</b> The loop runs on the thread pool; nothing in it is shared with other connections except the
/// store and the server's settings, both thread-safe. Counters are plain fields read racily by INFO.</para>
/// </remarks>
internal sealed class ClientConnection
{
    /// <summary>Replies buffered beyond this are flushed before the rest of the batch runs.</summary>
    internal const int FlushThresholdBytes = 1 << 20;

    /// <summary>Redis's <c>client-query-buffer-limit</c> default: a client whose unparsed input exceeds it (or twice
    /// <c>proto-max-bulk-len</c>, if larger) is disconnected.</summary>
    internal const long MinQueryBufferLimitBytes = 1L << 30;

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Action? _abort;
    private readonly ConnectionScratch _scratch;
    private readonly CommandArguments _arguments;
    private readonly RequestParser _parser;
    private ConnectionCounters _counters;

    /// <summary>Set by QUIT or a protocol error: stop reading once the replies so far are flushed.</summary>
    private bool _closeAfterReply;

    /// <summary>Authenticated by AUTH/HELLO, or connected while no password was required (as in Redis, such a client
    /// stays authenticated if a password is set later).</summary>
    private bool _authenticated;

    /// <summary>Error replies written before the last counter reset (the writer counts them all).</summary>
    private long _errorRepliesBase;

    /// <summary>Set once the working objects went back to the pool; the error count is then kept here.</summary>
    private volatile bool _released;

    private long _releasedErrorReplies;

    /// <summary>Set by CONFIG RESETSTAT on another connection; this one zeroes its counters at its next batch.</summary>
    private volatile bool _resetCountersRequested;

    public ClientConnection(ServerContext server, long id, PipeReader input, PipeWriter output, EndPoint? remote, EndPoint? local, Action? abort)
    {
        Server = server;
        Id = id;
        _input = input;
        _output = output;
        _abort = abort;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        _scratch = server.ScratchPool.Get();
        _arguments = _scratch.Arguments;
        _parser = _scratch.Parser;
        Reply = _scratch.Reply;
        Reply.Reset(output);
        _authenticated = server.Settings.RequirePass is null;
        ConnectedAt = Environment.TickCount64;
        LastInteraction = ConnectedAt;
    }

    public ServerContext Server { get; }

    public long Id { get; }

    /// <summary>CLIENT SETNAME; null = none.</summary>
    public string? Name { get; set; }

    public ReplyWriter Reply { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary><see cref="Environment.TickCount64"/> at connect.</summary>
    public long ConnectedAt { get; }

    /// <summary><see cref="Environment.TickCount64"/> of the last read (CLIENT LIST idle).</summary>
    public long LastInteraction { get; private set; }

    /// <summary>Full name of the last command run (CLIENT LIST cmd).</summary>
    public string LastCommand { get; private set; } = "NULL";

    /// <summary>Whether the client may run commands other than AUTH, HELLO and QUIT.</summary>
    public bool IsAuthenticated => _authenticated || Server.Settings.RequirePass is null;

    /// <summary>Keyspace hits and misses, counted by the data commands.</summary>
    public ref ConnectionCounters Counters => ref _counters;

    public void MarkAuthenticated() => _authenticated = true;

    /// <summary>Stop after the replies so far are sent (QUIT).</summary>
    public void CloseAfterReply() => _closeAfterReply = true;

    /// <summary>Asks the connection to zero its counters at its next batch (CONFIG RESETSTAT).</summary>
    public void RequestCounterReset() => _resetCountersRequested = true;

    /// <summary>A copy of the counters, read without synchronisation (INFO).</summary>
    public ConnectionCounters SnapshotCounters()
    {
        ConnectionCounters copy = _counters;
        copy.ErrorReplies = _released ? _releasedErrorReplies : Reply.ErrorReplies - _errorRepliesBase;
        return copy;
    }

    /// <summary>Returns the working objects to the pool: call once, after the loop has ended (INFO may still read the
    /// counters until the connection leaves the registry; they no longer come from the writer).</summary>
    public void ReleaseScratch()
    {
        _releasedErrorReplies = Reply.ErrorReplies - _errorRepliesBase;
        _released = true;
        Server.ScratchPool.Return(_scratch);
    }

    /// <summary>Closes the transport from outside (server stop, CLIENT KILL): the pending read ends.</summary>
    public void Abort()
    {
        _closeAfterReply = true;
        _input.CancelPendingRead();
        _abort?.Invoke();
    }

    /// <summary>Serves the client until it disconnects, breaks the protocol, quits or is aborted.</summary>
    public async Task RunAsync()
    {
        long carried = 0; // bytes left unconsumed by the previous read, to count only new input
        try
        {
            while (!_closeAfterReply)
            {
                ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    break;
                }

                LastInteraction = Environment.TickCount64;
                _counters.NetInputBytes += buffer.Length - carried;
                if (_resetCountersRequested)
                {
                    ResetCounters();
                }

                while (true)
                {
                    BatchOutcome outcome = RunRequests(ref buffer);
                    if (outcome != BatchOutcome.OutputFull)
                    {
                        break;
                    }

                    if (!await FlushAsync().ConfigureAwait(false))
                    {
                        return;
                    }
                }

                carried = buffer.Length;
                if (carried > QueryBufferLimit())
                {
                    Server.Log($"closing client id={Id}: query buffer {carried} bytes over the limit");
                    _closeAfterReply = true;
                }

                _input.AdvanceTo(buffer.Start, result.Buffer.End);
                if (!await FlushAsync().ConfigureAwait(false) || result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            // The client went away; nothing it sent half-way has reached the store.
        }
        finally
        {
            _parser.Reset();
            _arguments.Clear();
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
            _abort?.Invoke();
        }
    }

    private enum BatchOutcome
    {
        NeedMoreInput,
        OutputFull,
        Close,
    }

    /// <summary>Parses and runs the complete requests at the start of <paramref name="buffer"/>, slicing each off.</summary>
    private BatchOutcome RunRequests(ref ReadOnlySequence<byte> buffer)
    {
        while (!_closeAfterReply)
        {
            if (buffer.Length < _parser.BytesNeeded)
            {
                return BatchOutcome.NeedMoreInput;
            }

            ParseStatus status = _parser.Parse(buffer, Server.Settings.MaxBulkBytes, IsAuthenticated, out SequencePosition end);
            if (status == ParseStatus.Incomplete)
            {
                return BatchOutcome.NeedMoreInput;
            }

            if (status == ParseStatus.Error)
            {
                Reply.WriteError("ERR " + _parser.Error);
                Server.Log($"protocol error from client id={Id} addr={RemoteEndPoint}: {_parser.Error}");
                _closeAfterReply = true;
                return BatchOutcome.Close;
            }

            if (_arguments.Count > 0)
            {
                Execute();
            }

            buffer = buffer.Slice(end);
            if (Reply.UnflushedBytes >= FlushThresholdBytes)
            {
                return BatchOutcome.OutputFull;
            }
        }

        return BatchOutcome.Close;
    }

    /// <summary>Looks the command up, checks arity, authentication and (for commands that may grow memory) the memory
    /// limit, as Redis's <c>processCommand</c> does and in that order, and runs it.</summary>
    private void Execute()
    {
        CommandInfo? command = Server.Commands.Resolve(_arguments, out CommandInfo? container);
        if (command is null)
        {
            Reply.WriteError(container is null
                ? ErrorReplies.UnknownCommand(_arguments)
                : ErrorReplies.UnknownSubcommand(_arguments));
            return;
        }

        if (!command.AcceptsArgumentCount(_arguments.Count))
        {
            Reply.WriteError(ErrorReplies.WrongArity(command));
            return;
        }

        if ((command.Flags & CommandFlags.NoAuth) == 0 && !IsAuthenticated)
        {
            Reply.WriteError(ErrorReplies.NoAuth);
            return;
        }

        if ((command.Flags & CommandFlags.DenyOom) != 0 && Server.Store.IsOverMemoryLimit && !Server.TryMakeRoom())
        {
            Reply.WriteError(ErrorReplies.Oom);
            return;
        }

        LastCommand = command.FullName;
        _counters.CommandsProcessed++;
        long before = Reply.UnflushedBytes;
        try
        {
            command.Handler!(this, _arguments);
        }
        catch (Exception e)
        {
            // A handler that threw before writing can still be answered; one that wrote part of its reply has broken
            // the reply stream, so the connection closes after what it wrote.
            Server.Log($"command '{command.FullName}' from client id={Id} failed: {e.GetType().Name}: {e.Message}");
            if (Reply.UnflushedBytes == before)
            {
                Reply.WriteError($"ERR internal error in '{command.FullName}': {e.GetType().Name}");
            }
            else
            {
                _closeAfterReply = true;
            }
        }
    }

    private async ValueTask<bool> FlushAsync()
    {
        Reply.Commit();
        long pending = _output.UnflushedBytes;
        if (pending == 0)
        {
            return true;
        }

        _counters.NetOutputBytes += pending;
        FlushResult flush = await _output.FlushAsync().ConfigureAwait(false);
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    private long QueryBufferLimit() => Math.Max(MinQueryBufferLimitBytes, 2 * Server.Settings.MaxBulkBytes);

    private void ResetCounters()
    {
        _resetCountersRequested = false;
        _counters = default;
        _errorRepliesBase = Reply.ErrorReplies;
    }

    private static bool IsDisconnect(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException
        || (e is InvalidOperationException && e.InnerException is IOException or SocketException);
}
