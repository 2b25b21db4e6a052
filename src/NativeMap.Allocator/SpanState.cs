namespace NativeMap.Allocator;

/// <summary>What a span is doing. Transitions happen under the page heap's lock.</summary>
internal enum SpanState : byte
{
    /// <summary>In the descriptor pool; describes nothing.</summary>
    Dead = 0,

    /// <summary>Free: in the free-span index, and in the dirty list if any of its pages are not released.</summary>
    Free,

    /// <summary>Taken off the free index by the scavenger while its pages are released without the lock held.
    /// Counts as free in the statistics; neighbours do not coalesce with it.</summary>
    Scavenging,

    /// <summary>In use as one large block.</summary>
    Large,

    /// <summary>In use, cut into blocks of one size class.</summary>
    Small,
}
