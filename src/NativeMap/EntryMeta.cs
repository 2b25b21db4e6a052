namespace NativeMap;

/// <summary>
/// The optional per-entry fields a write asks for (BytesEntry.cs): an expiry and an access stamp. A plain
/// <see cref="NativeBytesMap"/> write uses the default (neither); the concurrent store fills them in.
/// </summary>
internal readonly struct EntryMeta
{
    /// <summary>Absolute expiry in ms of the owner's clock; 0 means none.</summary>
    public long Expiry { get; init; }

    /// <summary>An overwrite keeps the entry's current expiry and ignores <see cref="Expiry"/> (Redis's KEEPTTL, and
    /// what APPEND and INCR do).</summary>
    public bool KeepExpiry { get; init; }

    /// <summary>Write an access stamp field.</summary>
    public bool HasStamp { get; init; }

    /// <summary>The stamp to write when <see cref="HasStamp"/>.</summary>
    public uint StampValue { get; init; }

    /// <summary>Bytes at the start of the value that are the owner's header (0: none).</summary>
    public int HeaderLength { get; init; }

    /// <summary>The entry flags for an entry with expiry <paramref name="expiry"/>: an expiry field only when it is non-zero.</summary>
    public uint FlagsFor(long expiry) =>
        (expiry != 0 ? BytesEntry.ExpiryFlag : 0) | (HasStamp ? BytesEntry.StampFlag : 0) | (HeaderLength > 0 ? BytesEntry.HeaderFlag : 0);
}
