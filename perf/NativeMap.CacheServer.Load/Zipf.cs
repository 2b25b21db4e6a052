namespace NativeMap.CacheServer.Load;

/// <summary>
/// Zipf-distributed ranks over [0, n) with exponent s (inverse CDF by binary search over a precomputed table), mapped
/// through a fixed random permutation so that the popular keys are scattered over the key space rather than being the
/// first ones written. Deterministic for a seed: both servers get the same sequence.
/// </summary>
public sealed class Zipf
{
    private readonly double[] _cdf;
    private readonly int[] _permutation;
    private readonly Random _random;

    public Zipf(int n, double exponent, int seed)
    {
        _cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            sum += 1.0 / Math.Pow(k + 1, exponent);
            _cdf[k] = sum;
        }

        for (int k = 0; k < n; k++)
        {
            _cdf[k] /= sum;
        }

        _random = new Random(seed);
        _permutation = [.. Enumerable.Range(0, n)];
        _random.Shuffle(_permutation);
    }

    public int Next()
    {
        double u = _random.NextDouble();
        int rank = Array.BinarySearch(_cdf, u);
        if (rank < 0)
        {
            rank = ~rank;
        }

        return _permutation[Math.Min(rank, _permutation.Length - 1)];
    }
}
