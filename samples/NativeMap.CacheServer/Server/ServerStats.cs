namespace NativeMap.CacheServer.Server;

/// <summary>
/// Server-wide counters for INFO. Hot counters (commands, error replies, bytes) are kept per connection in plain
/// fields and added here when the connection closes, so the request path touches no shared cache line; INFO adds the
/// live connections' counters to these totals (<see cref="ClientRegistry.Totals"/>).
/// </summary>
internal sealed class ServerStats
{
    private long _connectionsReceived;
    private long _rejectedConnections;
    private long _commandsProcessed;
    private long _errorReplies;
    private long _netInputBytes;
    private long _netOutputBytes;

    /// <summary>The store's counters when CONFIG RESETSTAT last ran; INFO reports the store's counters minus these.</summary>
    public StoreStatistics StoreBaseline { get; private set; }

    public long ConnectionsReceived => Volatile.Read(ref _connectionsReceived);

    public long RejectedConnections => Volatile.Read(ref _rejectedConnections);

    public void ConnectionReceived() => Interlocked.Increment(ref _connectionsReceived);

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    /// <summary>Adds a closed connection's counters to the totals.</summary>
    public void Add(in ConnectionCounters counters)
    {
        Interlocked.Add(ref _commandsProcessed, counters.CommandsProcessed);
        Interlocked.Add(ref _errorReplies, counters.ErrorReplies);
        Interlocked.Add(ref _netInputBytes, counters.NetInputBytes);
        Interlocked.Add(ref _netOutputBytes, counters.NetOutputBytes);
    }

    /// <summary>The totals of closed connections.</summary>
    public ConnectionCounters ClosedTotals() => new()
    {
        CommandsProcessed = Volatile.Read(ref _commandsProcessed),
        ErrorReplies = Volatile.Read(ref _errorReplies),
        NetInputBytes = Volatile.Read(ref _netInputBytes),
        NetOutputBytes = Volatile.Read(ref _netOutputBytes),
    };

    /// <summary>CONFIG RESETSTAT: zero the totals (live connections reset their own; the store's counters are
    /// remembered as the new zero).</summary>
    public void Reset(StoreStatistics store)
    {
        StoreBaseline = store;
        Volatile.Write(ref _connectionsReceived, 0);
        Volatile.Write(ref _rejectedConnections, 0);
        Volatile.Write(ref _commandsProcessed, 0);
        Volatile.Write(ref _errorReplies, 0);
        Volatile.Write(ref _netInputBytes, 0);
        Volatile.Write(ref _netOutputBytes, 0);
    }
}
