namespace NativeMap.CacheServer.Server;

/// <summary>One connection's counters (or a sum of them), for INFO stats.</summary>
internal struct ConnectionCounters
{
    public long CommandsProcessed;
    public long ErrorReplies;
    public long NetInputBytes;
    public long NetOutputBytes;

    public void Add(in ConnectionCounters other)
    {
        CommandsProcessed += other.CommandsProcessed;
        ErrorReplies += other.ErrorReplies;
        NetInputBytes += other.NetInputBytes;
        NetOutputBytes += other.NetOutputBytes;
    }
}
