using System.Buffers;
using NativeMap.Caching.Tests.Infrastructure;

namespace NativeMap.Caching.Tests.Conformance;

/// <summary>
/// Readers and writers on a small set of shared keys at once, through every API form, with values that check
/// themselves (<see cref="CheckedValue"/>): a torn value, a value of another key or one never written fails the test.
/// The work is bounded by count, not time; the seed is printed so a failure can be replayed.
/// </summary>
public abstract partial class DistributedCacheConformanceTests
{
    private const int SharedKeys = 48;
    private const int OperationsPerThread = 20_000;

    [Fact]
    public void ConcurrentReadersAndWriters_OnOverlappingKeys_SeeOnlyWholeValues()
    {
        int seed = Environment.GetEnvironmentVariable("NATIVEMAP_TEST_SEED") is { } fixedSeed ? int.Parse(fixedSeed) : Random.Shared.Next();
        IBufferDistributedCache cache = Cache;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long hits = 0;

        void Writer(int writerId)
        {
            var random = new Random(seed + writerId);
            for (int i = 0; i < OperationsPerThread && failures.IsEmpty; i++)
            {
                int keyId = random.Next(SharedKeys);
                string key = $"shared:{keyId}";
                int roll = random.Next(100);
                if (roll < 5)
                {
                    cache.Remove(key);
                    continue;
                }

                // Mostly small values, now and then one past the small-object limit, so entries change size class.
                int length = roll < 8 ? 40_000 + random.Next(1000) : random.Next(600);
                byte[] value = CheckedValue.Create(keyId, ((long)writerId << 32) | (uint)i, length);
                DistributedCacheEntryOptions options = roll < 30 ? Sliding(TimeSpan.FromHours(1)) : s_none;
                if (roll % 2 == 0)
                {
                    cache.Set(key, value, options);
                }
                else
                {
                    cache.Set(key, Segments.Split(value, 1 + (roll % 4)), options);
                }
            }
        }

        void Reader(int readerId)
        {
            var random = new Random(seed + 1000 + readerId);
            var writer = new ArrayBufferWriter<byte>();
            for (int i = 0; i < OperationsPerThread && failures.IsEmpty; i++)
            {
                int keyId = random.Next(SharedKeys);
                string key = $"shared:{keyId}";
                byte[]? value;
                int roll = random.Next(3);
                if (roll == 0)
                {
                    value = cache.Get(key);
                }
                else if (roll == 1)
                {
                    writer.ResetWrittenCount();
                    value = cache.TryGet(key, writer) ? writer.WrittenSpan.ToArray() : null;
                }
                else
                {
                    cache.Refresh(key);
                    continue;
                }

                if (value is not null)
                {
                    Interlocked.Increment(ref hits);
                    if (CheckedValue.Check(keyId, value) is { } problem)
                    {
                        failures.Enqueue($"reader {readerId}, operation {i}: {problem}");
                    }
                }
            }
        }

        var threads = new List<Thread>();
        for (int t = 0; t < 2; t++)
        {
            int id = t;
            threads.Add(new Thread(() => Writer(id)));
            threads.Add(new Thread(() => Reader(id)));
        }

        threads.ForEach(static t => t.Start());
        threads.ForEach(static t => t.Join());

        Assert.True(failures.IsEmpty, $"seed {seed}: {string.Join("; ", failures.Take(5))}");
        Assert.True(hits > 0, $"seed {seed}: the readers never found a value, so they checked nothing");
        for (int keyId = 0; keyId < SharedKeys; keyId++)
        {
            if (cache.Get($"shared:{keyId}") is { } value)
            {
                Assert.Null(CheckedValue.Check(keyId, value));
            }
        }
    }

    [Fact]
    public async Task ConcurrentAsyncCalls_OnOverlappingKeys_SeeOnlyWholeValues()
    {
        IBufferDistributedCache cache = Cache;
        async Task Worker(int workerId)
        {
            var random = new Random(workerId);
            var writer = new ArrayBufferWriter<byte>();
            for (int i = 0; i < 2_000; i++)
            {
                int keyId = random.Next(16);
                string key = $"async:{keyId}";
                switch (random.Next(4))
                {
                    case 0:
                        await cache.SetAsync(key, CheckedValue.Create(keyId, i, random.Next(300)), s_none);
                        break;
                    case 1:
                        await cache.SetAsync(key, Segments.Split(CheckedValue.Create(keyId, i, random.Next(300)), 2), s_none);
                        break;
                    case 2:
                        if (await cache.GetAsync(key) is { } value)
                        {
                            Assert.Null(CheckedValue.Check(keyId, value));
                        }

                        break;
                    default:
                        writer.ResetWrittenCount();
                        if (await cache.TryGetAsync(key, writer))
                        {
                            Assert.Null(CheckedValue.Check(keyId, writer.WrittenSpan));
                        }

                        break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(id => Task.Run(() => Worker(id))));
    }
}
