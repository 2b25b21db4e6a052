namespace NativeMap.Allocator;

/// <summary>Page geometry of the heap.</summary>
internal static class Pages
{
    /// <summary>log2 of <see cref="PageSize"/>.</summary>
    public const int PageShift = 13;

    /// <summary>The heap page: 8 KiB, Go's page size. Independent of the OS page size.</summary>
    public const int PageSize = 1 << PageShift;
}
