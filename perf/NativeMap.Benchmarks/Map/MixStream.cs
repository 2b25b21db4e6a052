namespace NativeMap.Benchmarks.Map;

/// <summary>
/// A fixed, pre-generated stream of operations for the read-mostly mix: 90 % <c>TryGetValue</c> of a random present
/// key, 10 % writes. Half of the writes overwrite a random present key through the indexer; the other half alternate
/// between inserting a new key (the next absent key) through the indexer and removing the key the previous such
/// write inserted. So the map holds its N keys or N + 1, the present keys are never removed (every lookup hits), and a
/// stream that ends with a new key inserted ends with its removal: running the stream leaves the same key set, and
/// every run of it does the same work. Both maps run the same stream (<see cref="MapOps.Mix"/>).
/// </summary>
public sealed class MixStream<TKey>
    where TKey : unmanaged
{
    /// <summary>Percentage of operations that are lookups.</summary>
    public const int ReadPercent = 90;

    /// <summary>Percentage of operations that overwrite a present key; the rest of the writes insert or remove a new key.</summary>
    public const int OverwritePercent = 5;

    private MixStream(MixOp[] ops, TKey[] keys)
    {
        Ops = ops;
        Keys = keys;
    }

    /// <summary>The operation of each step.</summary>
    public MixOp[] Ops { get; }

    /// <summary>The key of each step.</summary>
    public TKey[] Keys { get; }

    /// <summary>
    /// A stream of <paramref name="steps"/> operations (one more when it must remove a last new key) over the map of
    /// <paramref name="present"/> keys; new keys come from <paramref name="absent"/>, which must hold a key for every
    /// insert (at most a twentieth of <paramref name="steps"/>, in expectation a fortieth).
    /// </summary>
    public static MixStream<TKey> Create(TKey[] present, TKey[] absent, int steps, int seed = 90_10)
    {
        var random = new Random(seed);
        var ops = new List<MixOp>(steps + 1);
        var keys = new List<TKey>(steps + 1);
        int inserted = 0;
        bool newKeyPresent = false;
        for (int i = 0; i < steps; i++)
        {
            int roll = random.Next(100);
            if (roll < ReadPercent + OverwritePercent)
            {
                ops.Add(roll < ReadPercent ? MixOp.Get : MixOp.Set);
                keys.Add(present[random.Next(present.Length)]);
            }
            else if (newKeyPresent)
            {
                ops.Add(MixOp.Remove);
                keys.Add(absent[inserted - 1]);
                newKeyPresent = false;
            }
            else
            {
                ops.Add(MixOp.Set);
                keys.Add(absent[inserted++]);
                newKeyPresent = true;
            }
        }

        if (newKeyPresent)
        {
            ops.Add(MixOp.Remove);
            keys.Add(absent[inserted - 1]);
        }

        return new MixStream<TKey>(ops.ToArray(), keys.ToArray());
    }
}
