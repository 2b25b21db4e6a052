using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using NativeMap.CacheServer.Commands;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer;

/// <summary>
/// A Redis-compatible (RESP2) cache server over TCP, storing keys and values in native memory that goes back to the
/// OS. Start it with <see cref="StartAsync"/>; it accepts clients until <see cref="StopAsync"/> or
/// <see cref="DisposeAsync"/>.
/// </summary>
/// <remarks>
/// Each accepted socket gets a <see cref="PipeReader"/>/<see cref="PipeWriter"/> pair over its stream and a
/// <see cref="ClientConnection"/> loop on the thread pool. A client beyond <c>maxclients</c> is told
/// <c>-ERR max number of clients reached</c> and closed, as Redis does. Stopping closes the listener, then every client
/// socket, and waits for the loops to end.
/// </remarks>
public sealed class CacheServer : IAsyncDisposable
{
    /// <summary>Redis's <c>tcp-backlog</c> default.</summary>
    private const int ListenBacklog = 511;

    /// <summary>How long <see cref="StopAsync"/> waits for client loops to notice their sockets closed.</summary>
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private readonly ServerContext _context;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connectionTasks = [];
    private readonly object _tasksLock = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _stopped;

    private CacheServer(CacheServerOptions options)
    {
        options.Validate();
        _context = new ServerContext(options);
        _listener = new Socket(options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    }

    /// <summary>The address and port the server listens on (the port the OS chose, when started with port 0).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Clients connected now.</summary>
    public int ClientCount => _context.Clients.Count;

    /// <summary>The shared state, for tests.</summary>
    internal ServerContext Context => _context;

    /// <summary>Binds, starts accepting clients, logs the ready line, and returns the running server.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local).</exception>
    public static Task<CacheServer> StartAsync(CacheServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var server = new CacheServer(options);
        try
        {
            server.Listen();
        }
        catch
        {
            server._listener.Dispose();
            server._context.Dispose();
            throw;
        }

        return Task.FromResult(server);
    }

    private void Listen()
    {
        CacheServerOptions options = _context.Options;
        if (options.BindAddress.Equals(IPAddress.IPv6Any))
        {
            _listener.DualMode = true;
        }

        _listener.Bind(new IPEndPoint(options.BindAddress, options.Port));
        _listener.Listen(ListenBacklog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _context.Port = EndPoint.Port;
        _acceptLoop = AcceptLoopAsync();
        string limit = _context.Settings.MaxMemory == 0 ? "none" : InfoCommand.Human(_context.Settings.MaxMemory);
        _context.Log($"NativeMap.CacheServer ready to accept connections on {EndPoint} (pid {Environment.ProcessId}, " +
            $"maxmemory {limit}, policy {EvictionPolicyNames.ToName(_context.Settings.Policy)})");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                _context.Log($"accept failed: {e.Message}");
                continue;
            }

            _context.Stats.ConnectionReceived();
            if (!_context.Clients.TryReserve(_context.Settings.MaxClients))
            {
                Reject(socket);
                continue;
            }

            Start(socket);
        }
    }

    private void Reject(Socket socket)
    {
        _context.Stats.ConnectionRejected();
        try
        {
            socket.Send("-ERR max number of clients reached\r\n"u8);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private void Start(Socket socket)
    {
        ClientConnection connection;
        try
        {
            socket.NoDelay = true;
            var stream = new NetworkStream(socket, ownsSocket: true);
            PipeReader input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
            PipeWriter output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
            connection = new ClientConnection(_context, _context.Clients.NextId(), input, output,
                socket.RemoteEndPoint, socket.LocalEndPoint, () => CloseSocket(stream, socket));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _context.Clients.Unreserve();
            socket.Dispose();
            return;
        }

        _context.Clients.Add(connection);
        Task task = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync().ConfigureAwait(false);
            }
            finally
            {
                connection.ReleaseScratch();
                _context.Clients.Remove(connection);
            }
        });
        lock (_tasksLock)
        {
            _connectionTasks.RemoveAll(t => t.IsCompleted);
            _connectionTasks.Add(task);
        }
    }

    private static void CloseSocket(NetworkStream stream, Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        stream.Dispose();
    }

    /// <summary>Stops accepting, closes every client, waits for their loops, and frees the store.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (ClientConnection client in _context.Clients.Clients)
        {
            client.Abort();
        }

        Task[] tasks;
        lock (_tasksLock)
        {
            tasks = [.. _connectionTasks];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(s_stopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _context.Log($"stopping: {tasks.Count(t => !t.IsCompleted)} client loops did not end within {s_stopTimeout.TotalSeconds:F0} s");
        }

        _context.Log("NativeMap.CacheServer stopped");
        _context.Dispose();
        _stopping.Dispose();
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
