using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// One CONFIG parameter: how to read it and, if it can change at run time, how to check and apply a new value.
/// <see cref="Validate"/> returns the reason a value is refused (Redis's wording) or null; <see cref="Apply"/> is
/// called only after every parameter of a CONFIG SET has validated, so a multi-parameter SET is all or nothing.
/// </summary>
internal sealed class ConfigParameter
{
    public required string Name { get; init; }

    public required Func<ServerContext, string> Get { get; init; }

    /// <summary>Null for a parameter fixed at start (<c>port</c>): CONFIG SET says it is immutable.</summary>
    public Func<string, string?>? Validate { get; init; }

    public Action<ServerContext, string>? Apply { get; init; }

    public bool IsMutable => Validate is not null;
}
