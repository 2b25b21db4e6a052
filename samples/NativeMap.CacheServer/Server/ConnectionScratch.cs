using Microsoft.Extensions.ObjectPool;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Server;

/// <summary>
/// A connection's reusable working objects — argument slots, parser (with its inline buffer) and reply writer —
/// rented from <see cref="ServerContext.ScratchPool"/> when a client connects and returned when it has gone, so that
/// clients that connect for one command (redis-cli, scripts, health checks) do not allocate them each time.
/// </summary>
internal sealed class ConnectionScratch : IResettable
{
    public ConnectionScratch()
    {
        Arguments = new CommandArguments();
        Parser = new RequestParser(Arguments);
        Reply = new ReplyWriter(null);
    }

    public CommandArguments Arguments { get; }

    public RequestParser Parser { get; }

    public ReplyWriter Reply { get; }

    /// <summary>Forgets the last connection: no request in progress, no arguments, no pipe, counters at zero.</summary>
    public bool TryReset()
    {
        Parser.Reset();
        Arguments.Clear();
        Reply.Reset(null);
        return true;
    }
}
