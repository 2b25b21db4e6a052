using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>
/// Many clients on overlapping keys, pipelined, with values that carry their writer, a sequence number and a CRC-32:
/// every value read back must be whole (checksum right) and one that some client wrote; keys each client owns alone
/// must end with exactly the value last written.
/// </summary>
public class ConcurrencyStressTests(ITestOutputHelper output)
{
    private const int Clients = 12;
    private const int SharedKeys = 64;
    private const int OwnKeys = 50;
    private const int Batches = 60;
    private const int BatchSize = 32;

    [Fact]
    public async Task ManyClients_OverlappingKeys_NothingTornNothingLost()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        await using TestServer server = await TestServer.StartAsync();
        var written = new ConcurrentDictionary<(int Writer, int Sequence), bool>();
        var lastOwn = new ConcurrentDictionary<string, byte[]>();
        long reads = 0;
        Task[] workers = [.. Enumerable.Range(0, Clients).Select(writer => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed + writer);
            using RawClient client = server.Connect();
            int sequence = 0;
            for (int batch = 0; batch < Batches; batch++)
            {
                var pipeline = new List<byte>();
                var expectations = new List<Action<RespValue>>();
                for (int j = 0; j < BatchSize; j++)
                {
                    int op = random.Next(100);
                    string shared = $"shared:{random.Next(SharedKeys)}";
                    if (op < 45)
                    {
                        byte[] value = MakeValue(writer, ++sequence, random);
                        written[(writer, sequence)] = true;
                        pipeline.AddRange(RawClient.Encode("SET", shared, Encoding.Latin1.GetString(value)));
                        expectations.Add(r => Assert.Equal("OK", r.Text));
                    }
                    else if (op < 55)
                    {
                        string own = $"own:{writer}:{random.Next(OwnKeys)}";
                        byte[] value = MakeValue(writer, ++sequence, random);
                        written[(writer, sequence)] = true;
                        lastOwn[own] = value;
                        pipeline.AddRange(RawClient.Encode("SET", own, Encoding.Latin1.GetString(value)));
                        expectations.Add(r => Assert.Equal("OK", r.Text));
                    }
                    else if (op < 85)
                    {
                        pipeline.AddRange(RawClient.Encode("GET", shared));
                        expectations.Add(r =>
                        {
                            Interlocked.Increment(ref reads);
                            Verify(r.Bytes, written);
                        });
                    }
                    else if (op < 93)
                    {
                        string other = $"shared:{random.Next(SharedKeys)}";
                        pipeline.AddRange(RawClient.Encode("MGET", shared, other));
                        expectations.Add(r =>
                        {
                            Assert.Equal(2, r.Items!.Count);
                            Verify(r.Items[0].Bytes, written);
                            Verify(r.Items[1].Bytes, written);
                        });
                    }
                    else if (op < 97)
                    {
                        byte[] a = MakeValue(writer, ++sequence, random);
                        written[(writer, sequence)] = true;
                        byte[] b = MakeValue(writer, ++sequence, random);
                        written[(writer, sequence)] = true;
                        string other = $"shared:{random.Next(SharedKeys)}";
                        pipeline.AddRange(RawClient.Encode("MSET", shared, Encoding.Latin1.GetString(a), other, Encoding.Latin1.GetString(b)));
                        expectations.Add(r => Assert.Equal("OK", r.Text));
                    }
                    else
                    {
                        pipeline.AddRange(RawClient.Encode("DEL", shared));
                        expectations.Add(r => Assert.InRange(r.Integer, 0, 1));
                    }
                }

                client.Send(pipeline.ToArray());
                foreach (Action<RespValue> expect in expectations)
                {
                    expect(client.Read());
                }
            }
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll(workers);

        using RawClient checker = server.Connect();
        for (int k = 0; k < SharedKeys; k++)
        {
            Verify(checker.Call("GET", $"shared:{k}").Bytes, written);
        }

        foreach ((string key, byte[] value) in lastOwn)
        {
            Assert.Equal(value, checker.Call("GET", key).Bytes);
        }

        Assert.True(reads > 1000, $"{reads} reads");
        output.WriteLine($"{written.Count} values written, {reads} single reads verified, {lastOwn.Count} owned keys exact");
    }

    /// <summary>[writer:4][sequence:4][payload of 0..6000 random bytes][crc32 of all before:4].</summary>
    private static byte[] MakeValue(int writer, int sequence, Random random)
    {
        byte[] value = new byte[8 + random.Next(6000) + 4];
        BinaryPrimitives.WriteInt32LittleEndian(value, writer);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), sequence);
        random.NextBytes(value.AsSpan(8, value.Length - 12));
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(value.Length - 4), Crc32.HashToUInt32(value.AsSpan(0, value.Length - 4)));
        return value;
    }

    private static void Verify(byte[]? value, ConcurrentDictionary<(int, int), bool> written)
    {
        if (value is null)
        {
            return; // deleted, or never written yet
        }

        Assert.True(value.Length >= 12, $"torn value of {value.Length} bytes");
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(value.Length - 4));
        Assert.True(crc == Crc32.HashToUInt32(value.AsSpan(0, value.Length - 4)), "checksum mismatch: a torn or mixed value");
        int writer = BinaryPrimitives.ReadInt32LittleEndian(value);
        int sequence = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4));
        Assert.True(written.ContainsKey((writer, sequence)), $"value ({writer}, {sequence}) was never written");
    }
}
