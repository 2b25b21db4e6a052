namespace NativeMap.Benchmarks.Map;

/// <summary>
/// The checks every map benchmark runs in its [GlobalSetup]: the Dictionary variant and the NativeMap variant, run
/// once each on equal inputs, must return the same checksum and leave the same contents. A benchmark that measures
/// a broken map (or a broken benchmark) then fails before it is timed, instead of printing a fast wrong number.
/// </summary>
public static class Agreement
{
    /// <summary>Throws unless the two variants returned the same checksum.</summary>
    /// <exception cref="InvalidOperationException">They differ.</exception>
    public static void SameResult(string operation, long dictionary, long map)
    {
        if (dictionary != map)
        {
            throw new InvalidOperationException($"{operation}: Dictionary returned {dictionary}, NativeMap returned {map}.");
        }
    }

    /// <summary>Throws unless the two hold the same entries (both ways, by lookup and by enumeration) and the map's invariants hold.</summary>
    /// <exception cref="InvalidOperationException">They differ.</exception>
    public static void SameContents<TKey>(string operation, Dictionary<TKey, long> dictionary, NativeMap<TKey, long> map)
        where TKey : unmanaged
    {
        map.Validate();
        SameResult(operation + " (count)", dictionary.Count, map.Count);
        foreach (KeyValuePair<TKey, long> entry in dictionary)
        {
            if (!map.TryGetValue(entry.Key, out long value) || value != entry.Value)
            {
                throw new InvalidOperationException($"{operation}: NativeMap does not map {entry.Key} to {entry.Value} as Dictionary does.");
            }
        }

        int enumerated = 0;
        foreach (KeyValuePair<TKey, long> entry in map)
        {
            if (!dictionary.TryGetValue(entry.Key, out long value) || value != entry.Value)
            {
                throw new InvalidOperationException($"{operation}: NativeMap enumerated {entry.Key} = {entry.Value}, which Dictionary does not hold.");
            }

            enumerated++;
        }

        SameResult(operation + " (entries enumerated)", dictionary.Count, enumerated);
    }
}
