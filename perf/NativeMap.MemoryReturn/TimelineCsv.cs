namespace NativeMap.MemoryReturn;

/// <summary>
/// <c>memory-return.csv</c>: one row per sample of every variant,
/// <c>variant,t_seconds,phase,rss_bytes,heap_in_use_bytes,heap_idle_bytes,heap_released_bytes</c>. The heap columns are
/// empty for <c>dictionary</c>, which has no SpanHeap.
/// </summary>
public static class TimelineCsv
{
    public const string FileName = "memory-return.csv";

    public const string Header = "variant,t_seconds,phase,rss_bytes,heap_in_use_bytes,heap_idle_bytes,heap_released_bytes";

    public static void Write(string path, IEnumerable<VariantTimeline> timelines)
    {
        using var writer = new StreamWriter(path);
        writer.NewLine = "\n";
        writer.WriteLine(Header);
        foreach (VariantTimeline timeline in timelines)
        {
            foreach (Sample sample in timeline.Samples)
            {
                writer.WriteLine(timeline.Variant + "," + sample.Format());
            }
        }
    }

    /// <summary>Reads a file <see cref="Write"/> wrote: one timeline per variant, in the order they first appear.</summary>
    /// <exception cref="FormatException">The header or a row is not as written.</exception>
    public static IReadOnlyList<VariantTimeline> Read(string path)
    {
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        if (header != Header)
        {
            throw new FormatException($"{path}: the header is '{header}', not '{Header}'");
        }

        var order = new List<string>();
        var samples = new Dictionary<string, List<Sample>>();
        int row = 1;
        while (reader.ReadLine() is { } line)
        {
            row++;
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0)
            {
                throw new FormatException($"{path}:{row}: no variant in '{line}'");
            }

            string variant = line[..comma];
            if (!samples.TryGetValue(variant, out List<Sample>? list))
            {
                samples[variant] = list = [];
                order.Add(variant);
            }

            try
            {
                list.Add(Sample.Parse(line.AsSpan(comma + 1)));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{row}: {e.Message}", e);
            }
        }

        return order.Select(v => new VariantTimeline(v, samples[v])).ToList();
    }
}
