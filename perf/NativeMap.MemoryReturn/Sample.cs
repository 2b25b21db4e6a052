using System.Globalization;

namespace NativeMap.MemoryReturn;

/// <summary>
/// One reading in a child process: its RSS and, for the NativeMap variants, its heap's page figures.
/// </summary>
/// <param name="Seconds">Time since the child started its baseline phase (all children start it together).</param>
/// <param name="Phase">The phase the child was in (<see cref="Phases"/>).</param>
/// <param name="RssBytes">Resident set size: <c>VmRSS</c> of <c>/proc/self/status</c>.</param>
/// <param name="HeapInUseBytes"><c>HeapStats.InUseBytes</c>; null for Dictionary, which has no SpanHeap.</param>
/// <param name="HeapIdleBytes"><c>HeapStats.IdleBytes</c>: free but still resident.</param>
/// <param name="HeapReleasedBytes"><c>HeapStats.ReleasedBytes</c>: returned to the OS.</param>
public readonly record struct Sample(
    double Seconds, string Phase, long RssBytes, long? HeapInUseBytes, long? HeapIdleBytes, long? HeapReleasedBytes)
{
    /// <summary>The number of comma-separated fields <see cref="Format"/> writes.</summary>
    public const int FieldCount = 6;

    /// <summary>The fields as CSV (no variant), the form used both in the CSV file and on the child's standard output.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds:F3},{Phase},{RssBytes},{HeapInUseBytes},{HeapIdleBytes},{HeapReleasedBytes}");

    /// <summary>Parses what <see cref="Format"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not a sample.</exception>
    public static Sample Parse(ReadOnlySpan<char> text)
    {
        Span<Range> ranges = stackalloc Range[FieldCount + 1];
        if (text.Split(ranges, ',') != FieldCount)
        {
            throw new FormatException($"expected {FieldCount} comma-separated fields: '{text}'");
        }

        return new Sample(
            double.Parse(text[ranges[0]], NumberStyles.Float, CultureInfo.InvariantCulture),
            Phase: text[ranges[1]].ToString(),
            long.Parse(text[ranges[2]], NumberStyles.Integer, CultureInfo.InvariantCulture),
            ParseOptional(text[ranges[3]]),
            ParseOptional(text[ranges[4]]),
            ParseOptional(text[ranges[5]]));
    }

    private static long? ParseOptional(ReadOnlySpan<char> field) =>
        field.IsEmpty ? null : long.Parse(field, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
