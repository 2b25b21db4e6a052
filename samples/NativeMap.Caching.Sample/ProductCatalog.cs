namespace NativeMap.Caching.Sample;

/// <summary>
/// The slow data source behind the cache: a lookup that takes <see cref="Latency"/>, and counts its calls so that the
/// responses (and the test) can tell a cache hit from a load.
/// </summary>
public sealed class ProductCatalog(TimeProvider clock)
{
    /// <summary>How long a load takes: long enough to see, short enough to try by hand.</summary>
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    private int _loads;

    /// <summary>Loads so far.</summary>
    public int Loads => Volatile.Read(ref _loads);

    public async ValueTask<Product> LoadAsync(int id, CancellationToken cancellationToken)
    {
        await Task.Delay(Latency, clock, cancellationToken);
        Interlocked.Increment(ref _loads);
        return new Product(id, $"Product {id}", Math.Round(id * 1.25m, 2), clock.GetUtcNow());
    }
}
