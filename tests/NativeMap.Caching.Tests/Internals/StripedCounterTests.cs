namespace NativeMap.Caching.Tests.Internals;

public sealed class StripedCounterTests
{
    [Fact]
    public void Increments_FromManyThreads_AreAllCounted()
    {
        var counter = new StripedCounter();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                counter.Increment();
            }
        });

        Assert.Equal(800_000, counter.Sum());
    }
}
