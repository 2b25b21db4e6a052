using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// Many threads on overlapping keys: every value carries its key's index and a checksum, so a torn value, a value under
/// the wrong key or a lost update shows; counters updated with Increment and Append must add up exactly; eviction,
/// active expiry and scans run at the same time.
/// </summary>
public sealed class ConcurrentNativeBytesMapStressTests : IDisposable
{
    private const int Keys = 512;
    private readonly SpanHeap _heap = new(new SpanHeapOptions { ScavengerEnabled = false });
    private readonly ITestOutputHelper _output;

    public ConcurrentNativeBytesMapStressTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _heap.Dispose();

    /// <summary>[key index: 4][length: 4][payload][XxHash64 of everything before: 8].</summary>
    private static byte[] MakeValue(int keyIndex, Random random)
    {
        int payload = random.Next(4) == 0 ? random.Next(1000, 40_000) : random.Next(0, 300);
        byte[] value = new byte[8 + payload + 8];
        BinaryPrimitives.WriteInt32LittleEndian(value, keyIndex);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), payload);
        random.NextBytes(value.AsSpan(8, payload));
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8 + payload), XxHash64.HashToUInt64(value.AsSpan(0, 8 + payload)));
        return value;
    }

    private static void CheckValue(ReadOnlySpan<byte> value, int keyIndex)
    {
        Assert.True(value.Length >= 16, $"value of key {keyIndex} is {value.Length} bytes");
        Assert.Equal(keyIndex, BinaryPrimitives.ReadInt32LittleEndian(value));
        int payload = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
        Assert.Equal(value.Length, 8 + payload + 8);
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(value[(8 + payload)..]), XxHash64.HashToUInt64(value[..(8 + payload)]));
    }

    [Fact]
    public void ManyThreads_OverlappingKeys_NothingTornNothingLost()
    {
        int seed = TestSeed.Next(_output);
        using var store = new ConcurrentNativeBytesMap(new ConcurrentNativeBytesMapOptions
        {
            Heap = _heap,
            ShardCount = 8,
            ActiveExpiryInterval = TimeSpan.FromMilliseconds(5),
            MemoryLimit = 8 << 20,
            EvictionPolicy = EvictionPolicy.VolatileLru, // only the volatile keys are ever evicted
            Compaction = new CompactionOptions { TriggerRatio = 1.01, MinReclaimableBytes = 0, CheckInterval = 50, EntriesPerWrite = 16 },
        });
        var mover = new CopyingMover(_heap) { EveryOther = true };
        store.UseMover(mover); // entries move under the readers' feet, shard by shard, from writes and from the timer
        byte[][] keys = Enumerable.Range(0, Keys).Select(i => Bytes.Of($"stress-{i}")).ToArray();
        byte[][] volatileKeys = Enumerable.Range(0, Keys).Select(i => Bytes.Of($"volatile-{i}")).ToArray();
        const int threads = 4;
        const int operations = 30_000;
        long[] increments = new long[threads];
        long[] appends = new long[threads];
        var failures = new List<Exception>();
        var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(seed + t);
            var writer = new ArrayBufferWriter<byte>();
            start.Wait();
            try
            {
                for (int i = 0; i < operations; i++)
                {
                    int k = random.Next(Keys);
                    switch (random.Next(12))
                    {
                        case 0 or 1 or 2:
                            store.Set(keys[k], MakeValue(k, random));
                            break;
                        case 3:
                            store.Set(keys[k], ChunkedSequence.Split(MakeValue(k, random), random), 0, SetCondition.IfPresent);
                            break;
                        case 4 or 5:
                            writer.ResetWrittenCount();
                            if (store.TryGetValue(keys[k], writer))
                            {
                                CheckValue(writer.WrittenSpan, k);
                            }

                            break;
                        case 6:
                            int index = k;
                            store.TryRead(keys[k], ref index, static (ReadOnlySpan<byte> value, ref int key) => CheckValue(value, key));
                            break;
                        case 7:
                            store.Remove(keys[k]);
                            break;
                        case 8:
                            Assert.Equal(IncrementResult.Done, store.Increment(Bytes.Of("counter"), 1, out _));
                            increments[t]++;
                            break;
                        case 9:
                            store.Append(Bytes.Of("log"), [(byte)('a' + t)]);
                            appends[t]++;
                            break;
                        case 10:
                            store.Set(volatileKeys[k], new byte[random.Next(2000)], store.UtcNowTicks + (random.Next(1, 20) * TimeSpan.TicksPerMillisecond));
                            break;
                        default:
                            int visited = 0;
                            _ = store.Scan((ulong)random.Next(2) << 41, 20, ref visited, static (ReadOnlySpan<byte> key, ref int n) => n++);
                            break;
                    }
                }
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            }
        })).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        start.Set();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.Empty(failures);
        Span<byte> number = stackalloc byte[32];
        Assert.True(store.TryCopyValue(Bytes.Of("counter"), number, out int written));
        Assert.Equal(increments.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture), Bytes.Text(number[..written]));
        var log = new ArrayBufferWriter<byte>();
        Assert.True(store.TryGetValue(Bytes.Of("log"), log));
        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(appends[t], log.WrittenSpan.Count((byte)('a' + t)));
        }

        var writer2 = new ArrayBufferWriter<byte>();
        for (int k = 0; k < Keys; k++)
        {
            writer2.ResetWrittenCount();
            if (store.TryGetValue(keys[k], writer2))
            {
                CheckValue(writer2.WrittenSpan, k);
            }
        }

        StoreStatistics stats = store.GetStatistics();
        _output.WriteLine($"{stats.Count} entries, {stats.Evicted} evicted, {stats.Expired} expired, {stats.Hits} hits, {stats.Misses} misses, {mover.Moves} moves");
        Assert.True(mover.Moves > 0, "nothing was compacted");
        store.Validate();
    }
}
