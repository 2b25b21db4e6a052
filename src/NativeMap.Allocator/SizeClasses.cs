namespace NativeMap.Allocator;

/// <summary>
/// The size-class table for small blocks (at most <see cref="MaxSmallSize"/> bytes).
/// </summary>
/// <remarks>
/// <para>Classes: 8, then multiples of 16 up to 256, then eight classes per doubling up to 32 KiB (73 in all; Go has
/// 67). Rounding a request up to its class wastes at most 12.5 % for requests above 128 B; below that the 16-byte
/// alignment granule bounds the waste at 15 bytes. Every class but the first is a multiple of 16, so blocks are
/// 16-byte aligned (the 8-byte class is 8-byte aligned), like glibc's malloc.</para>
/// <para>A class's span is the smallest number of pages that holds at least <see cref="MinObjectsPerSpan"/> blocks with
/// a tail (the bytes after the last whole block) of at most 1/8 of the span — Go's rule for its table.</para>
/// <para>Transfer batch (blocks moved between a thread cache and the central list at once): 32 KiB worth, clamped to
/// [2, 64]; a thread cache holds up to two batches per class. So a cache holds at most 64 KiB of any one class.</para>
/// <para>Class 0 means "large": a span of its own.</para>
/// </remarks>
internal static class SizeClasses
{
    /// <summary>The largest small block: 32 KiB (Go's <c>maxSmallSize</c>).</summary>
    public const int MaxSmallSize = 32 << 10;

    /// <summary>A class's span holds at least this many blocks, so that a span refill is amortised over several.</summary>
    public const int MinObjectsPerSpan = 4;

    private const int SmallLookupLimit = 1024;
    private const int BatchBytes = 32 << 10;
    private const int MinBatch = 2;
    private const int MaxBatch = 64;

    /// <summary>Number of classes including class 0 (large).</summary>
    public static readonly int Count;

    /// <summary>Block size of each class.</summary>
    public static readonly int[] Size;

    /// <summary>Pages per span of each class.</summary>
    public static readonly int[] SpanPages;

    /// <summary>Blocks per span of each class.</summary>
    public static readonly int[] ObjectsPerSpan;

    /// <summary>Blocks moved between a thread cache and the central list at once.</summary>
    public static readonly int[] Batch;

    /// <summary>
    /// <c>uint.MaxValue / size + 1</c>: <c>(offset * DivMagic[c]) &gt;&gt; 32 == offset / size</c> for every offset
    /// inside a span of class c (Go's <c>divMagic</c>; the table's test checks every offset of every class).
    /// </summary>
    public static readonly uint[] DivMagic;

    // Request size → class: by 8-byte steps up to 1 KiB, by 128-byte steps above.
    private static readonly byte[] s_classBy8;
    private static readonly byte[] s_classBy128;

    static SizeClasses()
    {
        var sizes = new List<int> { 0, 8 };
        for (int s = 16; s <= 256; s += 16)
        {
            sizes.Add(s);
        }

        for (int power = 256; power < MaxSmallSize; power *= 2)
        {
            int step = power / 8;
            for (int s = power + step; s <= power * 2; s += step)
            {
                sizes.Add(s);
            }
        }

        Count = sizes.Count;
        Size = [.. sizes];
        SpanPages = new int[Count];
        ObjectsPerSpan = new int[Count];
        Batch = new int[Count];
        DivMagic = new uint[Count];

        for (int c = 1; c < Count; c++)
        {
            int size = Size[c];
            int pages = Math.Max(1, ((MinObjectsPerSpan * size) + Pages.PageSize - 1) / Pages.PageSize);
            while ((pages * Pages.PageSize) % size * 8 > pages * Pages.PageSize)
            {
                pages++;
            }

            SpanPages[c] = pages;
            ObjectsPerSpan[c] = pages * Pages.PageSize / size;
            Batch[c] = Math.Clamp(BatchBytes / size, MinBatch, MaxBatch);
            DivMagic[c] = (uint)((uint.MaxValue / (uint)size) + 1);
        }

        s_classBy8 = new byte[(SmallLookupLimit / 8) + 1];
        s_classBy128 = new byte[((MaxSmallSize - SmallLookupLimit) / 128) + 1];
        int cls = 1;
        for (int i = 0; i < s_classBy8.Length; i++)
        {
            int request = i * 8;
            while (Size[cls] < request)
            {
                cls++;
            }

            s_classBy8[i] = (byte)cls;
        }

        for (int i = 0; i < s_classBy128.Length; i++)
        {
            int request = SmallLookupLimit + (i * 128);
            while (Size[cls] < request)
            {
                cls++;
            }

            s_classBy128[i] = (byte)cls;
        }
    }

    /// <summary>The class of a request of <paramref name="size"/> bytes, 0 &lt; size ≤ <see cref="MaxSmallSize"/>
    /// (zero maps to the smallest class).</summary>
    public static int ClassOf(nuint size) => size <= SmallLookupLimit
        ? s_classBy8[(int)((size + 7) >> 3)]
        : s_classBy128[(int)((size - SmallLookupLimit + 127) >> 7)];
}
