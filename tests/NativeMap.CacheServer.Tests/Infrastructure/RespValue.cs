using System.Text;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>A RESP2 reply as a test reads it: kind, text or bytes, integer, or children.</summary>
public sealed record RespValue(RespKind Kind, byte[]? Bytes = null, long Integer = 0, IReadOnlyList<RespValue>? Items = null)
{
    /// <summary>The text of a simple string, error or bulk (null for a null bulk).</summary>
    public string? Text => Bytes is null ? null : Encoding.Latin1.GetString(Bytes);

    public bool IsNull => Kind is RespKind.Bulk or RespKind.Array && Bytes is null && Items is null;

    public override string ToString() => Kind switch
    {
        RespKind.SimpleString => "+" + Text,
        RespKind.Error => "-" + Text,
        RespKind.Integer => ":" + Integer,
        RespKind.Bulk => Bytes is null ? "(nil)" : $"\"{Text}\"",
        RespKind.Array => Items is null ? "(nil array)" : "[" + string.Join(", ", Items) + "]",
        _ => "?",
    };
}

public enum RespKind
{
    SimpleString,
    Error,
    Integer,
    Bulk,
    Array,
}
