namespace NativeMap.Allocator;

/// <summary>The two links of an intrusive doubly linked list.</summary>
internal struct SpanLinks
{
    public HeapSpan Prev;
    public HeapSpan Next;
}

/// <summary>Chooses which of a span's link pairs a list uses; a struct per list, so the generic code is specialised.</summary>
internal interface ISpanLinks
{
    static abstract ref SpanLinks Of(HeapSpan span);
}

/// <summary>Links of a <see cref="FreeSpans"/> bin.</summary>
internal struct BinLinks : ISpanLinks
{
    public static ref SpanLinks Of(HeapSpan span) => ref span.BinLinks;
}

/// <summary>Links of the dirty list.</summary>
internal struct DirtyLinks : ISpanLinks
{
    public static ref SpanLinks Of(HeapSpan span) => ref span.DirtyLinks;
}

/// <summary>Links of a central list's partial list.</summary>
internal struct PartialLinks : ISpanLinks
{
    public static ref SpanLinks Of(HeapSpan span) => ref span.PartialLinks;
}

/// <summary>
/// Intrusive doubly linked lists of spans: O(1) insert and remove with no allocation. A span is on at most one bin,
/// the dirty list, and a partial list at once, each through its own <see cref="SpanLinks"/>.
/// </summary>
internal static class SpanList
{
    /// <summary>Adds <paramref name="span"/> at the head of the list.</summary>
    public static void PushFront<TLinks>(ref HeapSpan head, HeapSpan span)
        where TLinks : struct, ISpanLinks
    {
        ref SpanLinks links = ref TLinks.Of(span);
        links.Prev = default;
        links.Next = head;
        if (!head.IsNull)
        {
            TLinks.Of(head).Prev = span;
        }

        head = span;
    }

    /// <summary>Unlinks <paramref name="span"/>, which is on the list.</summary>
    public static void Remove<TLinks>(ref HeapSpan head, HeapSpan span)
        where TLinks : struct, ISpanLinks
    {
        ref SpanLinks links = ref TLinks.Of(span);
        if (!links.Prev.IsNull)
        {
            TLinks.Of(links.Prev).Next = links.Next;
        }
        else
        {
            head = links.Next;
        }

        if (!links.Next.IsNull)
        {
            TLinks.Of(links.Next).Prev = links.Prev;
        }

        links = default;
    }
}
