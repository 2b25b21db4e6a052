using System.Collections.Concurrent;

namespace NativeMap.CacheServer.Server;

/// <summary>
/// The connected clients: admission against <c>maxclients</c>, ids, and what INFO and CLIENT LIST read. A slot is
/// reserved (<see cref="TryReserve"/>) before a connection is built, so the cap holds under concurrent accepts.
/// </summary>
internal sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientConnection> _clients = new();
    private readonly ServerStats _stats;

    /// <summary>Slots reserved or held; may exceed <see cref="Count"/> briefly while a connection is being built.</summary>
    private int _reserved;

    /// <summary>Last id handed out; Redis's client ids also start at 1 and only grow.</summary>
    private long _lastId;

    public ClientRegistry(ServerStats stats)
    {
        _stats = stats;
    }

    public int Count => _clients.Count;

    public IEnumerable<ClientConnection> Clients => _clients.Values;

    /// <summary>Takes a slot if fewer than <paramref name="maxClients"/> are taken.</summary>
    public bool TryReserve(int maxClients)
    {
        int taken = Interlocked.Increment(ref _reserved);
        if (taken > maxClients)
        {
            Interlocked.Decrement(ref _reserved);
            return false;
        }

        return true;
    }

    /// <summary>Gives back a slot reserved for a connection that was never added.</summary>
    public void Unreserve() => Interlocked.Decrement(ref _reserved);

    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(ClientConnection client)
    {
        _clients[client.Id] = client;
    }

    /// <summary>Removes a closed connection, frees its slot and adds its counters to the server's totals.</summary>
    public void Remove(ClientConnection client)
    {
        if (_clients.TryRemove(client.Id, out _))
        {
            _stats.Add(client.SnapshotCounters());
            Interlocked.Decrement(ref _reserved);
        }
    }

    /// <summary>Closed connections' totals plus the live connections' counters.</summary>
    public ConnectionCounters Totals()
    {
        ConnectionCounters totals = _stats.ClosedTotals();
        foreach (ClientConnection client in _clients.Values)
        {
            totals.Add(client.SnapshotCounters());
        }

        return totals;
    }
}
