namespace NativeMap.CacheServer.Load;

/// <summary>The two servers measured side by side.</summary>
public enum ServerKind
{
    /// <summary>samples/NativeMap.CacheServer, started as <c>dotnet NativeMap.CacheServer.dll</c>.</summary>
    NativeMap,

    /// <summary>Debian's redis-server 7, started with persistence off.</summary>
    Redis,
}
