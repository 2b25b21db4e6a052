namespace NativeMap.CacheServer.Server;

/// <summary>
/// The settings CONFIG SET can change while clients run: read on every request by any connection thread, written
/// rarely by one. Each is a single field read with <see cref="Volatile"/>, so a reader sees either the old or the new
/// value, never a torn one; no setting depends on another, so no lock is needed.
/// </summary>
internal sealed class ServerSettings
{
    private long _maxMemory;
    private int _policy;
    private long _maxBulkBytes;
    private int _maxClients;
    private string? _requirePass;

    public ServerSettings(CacheServerOptions options)
    {
        _maxMemory = options.MaxMemory;
        _policy = (int)options.MaxMemoryPolicy;
        _maxBulkBytes = options.MaxBulkBytes;
        _maxClients = options.MaxClients;
        _requirePass = options.RequirePass;
    }

    /// <summary>Raised after <see cref="MaxMemory"/> or <see cref="Policy"/> changes,
    /// on the thread that changed it (the store applies the new limit).</summary>
    public event Action? MemoryPolicyChanged;

    /// <summary><c>maxmemory</c> in bytes; 0 = no limit.</summary>
    public long MaxMemory
    {
        get => Volatile.Read(ref _maxMemory);
        set
        {
            Volatile.Write(ref _maxMemory, value);
            MemoryPolicyChanged?.Invoke();
        }
    }

    /// <summary><c>maxmemory-policy</c>.</summary>
    public EvictionPolicy Policy
    {
        get => (EvictionPolicy)Volatile.Read(ref _policy);
        set
        {
            Volatile.Write(ref _policy, (int)value);
            MemoryPolicyChanged?.Invoke();
        }
    }

    /// <summary><c>proto-max-bulk-len</c>.</summary>
    public long MaxBulkBytes
    {
        get => Volatile.Read(ref _maxBulkBytes);
        set => Volatile.Write(ref _maxBulkBytes, value);
    }

    /// <summary><c>maxclients</c>.</summary>
    public int MaxClients
    {
        get => Volatile.Read(ref _maxClients);
        set => Volatile.Write(ref _maxClients, value);
    }

    /// <summary><c>requirepass</c>; null = the default user needs no password.</summary>
    public string? RequirePass
    {
        get => Volatile.Read(ref _requirePass);
        set => Volatile.Write(ref _requirePass, string.IsNullOrEmpty(value) ? null : value);
    }
}
