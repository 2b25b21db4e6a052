using System.Buffers;
using NativeMap.Tests.Infrastructure;

namespace NativeMap.Tests;

/// <summary>
/// Randomised model tests: NativeBytesMap against a Dictionary&lt;string, byte[]&gt; of the same keys (Latin-1 names),
/// through growth, shrink, overwrites that change size class, multi-segment sets, clears and enumeration while
/// writing; Validate after every phase. Each test prints its seed (replay with NATIVEMAP_TEST_SEED).
/// </summary>
public sealed class NativeBytesMapModelTests
{
    private readonly ITestOutputHelper _output;

    public NativeBytesMapModelTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<ulong> HashMasks => new()
    {
        ulong.MaxValue,          // real hashes
        0xFF00_0000_0000_00FFUL, // 8 bucket bits, 8 tophash bits: long chains, tophash mismatches
        0x0000_0000_0000_000FUL, // 16 hash values in all: heavy collisions, equal ords
    };

    [Theory]
    [MemberData(nameof(HashMasks))]
    public void RandomOperations_MatchDictionary(ulong hashMask)
    {
        int seed = TestSeed.Next(_output);
        var random = new Random(seed);
        var strings = new ByteStrings(random);
        using var heap = new SpanHeap(new SpanHeapOptions { ScavengerEnabled = false });
        using var map = new NativeBytesMap(new NativeBytesMapOptions { Heap = heap }, new Random(seed), fixedSeed: null, hashMask);
        var model = new BytesModel();
        var keys = new List<byte[]>();
        int target = hashMask == ulong.MaxValue ? 3000 : 300;
        byte[] lookupBuffer = new byte[256];

        for (int phase = 0; phase < 8; phase++)
        {
            // Grow to the target (larger each time), then (odd phases) delete down to a few: the map grows and shrinks.
            bool shrinking = (phase & 1) == 1;
            int goal = target * ((phase / 2) + 1);
            for (int step = 0; shrinking ? keys.Count > 3 : keys.Count < goal; step++)
            {
                int op = random.Next(100);
                if (keys.Count == 0 || (!shrinking && op < 70) || (shrinking && op < 10))
                {
                    byte[] key = random.Next(4) == 0 && keys.Count > 0 ? keys[random.Next(keys.Count)] : strings.Key();
                    byte[] value = strings.Value();
                    string name = BytesModel.Name(key);
                    switch (random.Next(3))
                    {
                        case 0:
                            map.Set(key, value);
                            break;
                        case 1:
                            map.Set(key, ChunkedSequence.Split(value, random));
                            break;
                        default:
                            bool added = map.TryAdd(key, value);
                            Assert.Equal(!model.Entries.ContainsKey(name), added);
                            if (!added)
                            {
                                continue;
                            }

                            break;
                    }

                    if (!model.Entries.ContainsKey(name))
                    {
                        keys.Add(key);
                    }

                    model.Entries[name] = value;
                }
                else if (op < 85)
                {
                    int index = random.Next(keys.Count);
                    byte[] key = keys[index];
                    string name = BytesModel.Name(key);
                    bool present = model.Entries.Remove(name, out byte[]? old);
                    if (random.Next(2) == 0)
                    {
                        var writer = new ArrayBufferWriter<byte>();
                        Assert.Equal(present, map.Remove(key, writer));
                        if (present)
                        {
                            Assert.True(writer.WrittenSpan.SequenceEqual(old));
                        }
                    }
                    else
                    {
                        Assert.Equal(present, map.Remove(key));
                    }

                    keys[index] = keys[^1];
                    keys.RemoveAt(keys.Count - 1);
                }
                else
                {
                    // A lookup of a key that may or may not be there.
                    byte[] key = random.Next(2) == 0 ? keys[random.Next(keys.Count)] : strings.Key();
                    bool present = model.Entries.TryGetValue(BytesModel.Name(key), out byte[]? value);
                    Span<byte> buffer = lookupBuffer;
                    bool copied = map.TryCopyValue(key, buffer, out int written);
                    Assert.Equal(present && value!.Length <= buffer.Length, copied);
                    if (copied)
                    {
                        Assert.True(buffer[..written].SequenceEqual(value));
                    }

                    Assert.Equal(present, map.ContainsKey(key));
                }

                if (step % 997 == 0)
                {
                    map.Validate();
                }

                // Now and then, clear in the middle of things (growth or shrink may be under way).
                if (random.Next(5000) == 0 && map.IsEvacuating)
                {
                    map.Clear();
                    model.Entries.Clear();
                    keys.Clear();
                    map.Validate();
                }
            }

            map.Validate();
            model.AssertSame(map);
            _output.WriteLine($"phase {phase}: {map.Count} entries, B = {map.BucketShift}, resizes {map.ResizeCount}, heap bytes {map.HeapBytes}");
        }

        map.Clear();
        model.Entries.Clear();
        map.Validate();
        model.AssertSame(map);
        Assert.Equal(0, map.HeapBytes);
    }
}
