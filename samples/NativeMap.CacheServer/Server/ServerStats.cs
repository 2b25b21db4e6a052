namespace NativeMap.CacheServer.Server;

/// <summary>
/// Server-wide counters for INFO. Hot counters (commands, hits, misses, bytes) are kept per connection in plain
/// fields and added here when the connection closes, so the request path touches no shared cache line; INFO adds the
/// live connections' counters to these totals (<see cref="ClientRegistry.Totals"/>).
/// </summary>
internal sealed class ServerStats
{
    private long _connectionsReceived;
    private long _rejectedConnections;
    private long _commandsProcessed;
    private long _keyspaceHits;
    private long _keyspaceMisses;
    private long _errorReplies;
    private long _netInputBytes;
    private long _netOutputBytes;

    public long ConnectionsReceived => Volatile.Read(ref _connectionsReceived);

    public long RejectedConnections => Volatile.Read(ref _rejectedConnections);

    public void ConnectionReceived() => Interlocked.Increment(ref _connectionsReceived);

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    /// <summary>Adds a closed connection's counters to the totals.</summary>
    public void Add(in ConnectionCounters counters)
    {
        Interlocked.Add(ref _commandsProcessed, counters.CommandsProcessed);
        Interlocked.Add(ref _keyspaceHits, counters.KeyspaceHits);
        Interlocked.Add(ref _keyspaceMisses, counters.KeyspaceMisses);
        Interlocked.Add(ref _errorReplies, counters.ErrorReplies);
        Interlocked.Add(ref _netInputBytes, counters.NetInputBytes);
        Interlocked.Add(ref _netOutputBytes, counters.NetOutputBytes);
    }

    /// <summary>The totals of closed connections.</summary>
    public ConnectionCounters ClosedTotals() => new()
    {
        CommandsProcessed = Volatile.Read(ref _commandsProcessed),
        KeyspaceHits = Volatile.Read(ref _keyspaceHits),
        KeyspaceMisses = Volatile.Read(ref _keyspaceMisses),
        ErrorReplies = Volatile.Read(ref _errorReplies),
        NetInputBytes = Volatile.Read(ref _netInputBytes),
        NetOutputBytes = Volatile.Read(ref _netOutputBytes),
    };

    /// <summary>CONFIG RESETSTAT: zero the totals (live connections reset their own).</summary>
    public void Reset()
    {
        Volatile.Write(ref _connectionsReceived, 0);
        Volatile.Write(ref _rejectedConnections, 0);
        Volatile.Write(ref _commandsProcessed, 0);
        Volatile.Write(ref _keyspaceHits, 0);
        Volatile.Write(ref _keyspaceMisses, 0);
        Volatile.Write(ref _errorReplies, 0);
        Volatile.Write(ref _netInputBytes, 0);
        Volatile.Write(ref _netOutputBytes, 0);
    }
}
