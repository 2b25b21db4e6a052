namespace NativeMap.CacheServer.Commands;

/// <summary>Redis's command flags that this server acts on or reports (COMMAND INFO).</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,

    /// <summary>May modify the data set (<c>write</c>).</summary>
    Write = 1 << 0,

    /// <summary>Never modifies the data set (<c>readonly</c>).</summary>
    ReadOnly = 1 << 1,

    /// <summary>May grow memory: refused with <c>-OOM</c> when over <c>maxmemory</c> and nothing can be evicted (<c>denyoom</c>).</summary>
    DenyOom = 1 << 2,

    /// <summary>Administrative (<c>admin</c>): CONFIG SET, FLUSHALL…</summary>
    Admin = 1 << 3,

    /// <summary>Allowed before authentication (<c>no_auth</c>): AUTH, HELLO, QUIT.</summary>
    NoAuth = 1 << 4,

    /// <summary>O(1) or O(log N) (<c>fast</c>).</summary>
    Fast = 1 << 5,

    /// <summary>Allowed while the server loads its data (<c>loading</c>); reported only, this server never loads.</summary>
    Loading = 1 << 6,

    /// <summary>Allowed while the server is still starting or the data is stale (<c>stale</c>); reported only.</summary>
    Stale = 1 << 7,
}
