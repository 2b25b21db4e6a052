namespace NativeMap.Benchmarks.Map;

/// <summary>One step of a <see cref="MixStream{TKey}"/>.</summary>
public enum MixOp : byte
{
    /// <summary><c>TryGetValue</c>.</summary>
    Get,

    /// <summary>The indexer's setter: an overwrite of a present key or the insert of a new one.</summary>
    Set,

    /// <summary><c>Remove</c> of the new key the previous insert added.</summary>
    Remove,
}
