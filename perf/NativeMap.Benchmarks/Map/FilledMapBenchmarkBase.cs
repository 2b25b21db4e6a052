namespace NativeMap.Benchmarks.Map;

/// <summary>
/// Benchmarks that work on a full map: a Dictionary and a NativeMap each given every key of <c>Present</c> (value = its
/// index) without a capacity hint, as a map that grew to its size would be, with NativeMap's growth finished (steady
/// state, no evacuation in progress).
/// </summary>
public abstract class FilledMapBenchmarkBase<TKey> : MapBenchmarkBase<TKey>
    where TKey : unmanaged
{
    private NativeMap<TKey, long>? _map;

    protected Dictionary<TKey, long> Dictionary { get; private set; } = null!;

    protected NativeMap<TKey, long> Map => _map!;

    /// <summary>Creates the keys and both full maps, and checks that they agree.</summary>
    protected void CreateFilledMaps()
    {
        CreateKeys();
        Dictionary = FillDictionary(0);
        _map = FillMap(0);
        _map.EvacuateAll();
        Agreement.SameContents("Fill", Dictionary, _map);
    }

    /// <summary>
    /// Runs an operation once on each map, from equal states, and checks that both return the same checksum and are
    /// left with the same contents (an operation that writes leaves both in the same, new, state).
    /// </summary>
    protected void CheckAgreement(string operation, Func<long> onDictionary, Func<long> onMap)
    {
        Agreement.SameResult(operation, onDictionary(), onMap());
        Agreement.SameContents(operation, Dictionary, Map);
    }

    public override void Cleanup()
    {
        _map?.Dispose();
        _map = null;
        base.Cleanup();
    }
}
