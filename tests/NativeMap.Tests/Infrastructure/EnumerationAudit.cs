namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// Checks the enumeration promise: every key present at the start and never removed is yielded exactly once; nothing
/// is yielded twice, nothing absent at the start is yielded, nothing is yielded after its removal.
/// </summary>
public sealed class EnumerationAudit<TKey>
    where TKey : notnull
{
    private readonly HashSet<TKey> _atStart;
    private readonly HashSet<TKey> _yielded = new();
    private readonly HashSet<TKey> _removed = new();

    public EnumerationAudit(IEnumerable<TKey> atStart) => _atStart = new HashSet<TKey>(atStart);

    public int YieldedCount => _yielded.Count;

    public void Yielded(TKey key)
    {
        Assert.True(_atStart.Contains(key), $"yielded {key}, absent at the start");
        Assert.True(_yielded.Add(key), $"yielded {key} twice");
        Assert.False(_removed.Contains(key), $"yielded {key} after its removal");
    }

    public void Removed(TKey key) => _removed.Add(key);

    public void AssertComplete()
    {
        foreach (TKey key in _atStart)
        {
            if (!_removed.Contains(key))
            {
                Assert.True(_yielded.Contains(key), $"{key} was present throughout and never yielded");
            }
        }
    }
}
