namespace NativeMap.MemoryReturn;

/// <summary>The samples of one variant's child process, in time order.</summary>
public sealed record VariantTimeline(string Variant, IReadOnlyList<Sample> Samples)
{
    /// <summary>The last sample taken in <paramref name="phase"/>: the state at the end of that phase. Null when the
    /// variant never was in it (only <c>nativemap-freeosmemory</c> has a <c>free-os-memory</c> phase).</summary>
    public Sample? LastIn(string phase)
    {
        for (int i = Samples.Count - 1; i >= 0; i--)
        {
            if (Samples[i].Phase == phase)
            {
                return Samples[i];
            }
        }

        return null;
    }

    /// <summary>The first sample taken in <paramref name="phase"/>, or null.</summary>
    public Sample? FirstIn(string phase)
    {
        foreach (Sample sample in Samples)
        {
            if (sample.Phase == phase)
            {
                return sample;
            }
        }

        return null;
    }
}
