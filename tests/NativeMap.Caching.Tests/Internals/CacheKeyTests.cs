using System.Text;

namespace NativeMap.Caching.Tests.Internals;

public sealed class CacheKeyTests(ITestOutputHelper output)
{
    private static byte[] Encode(string key)
    {
        byte[] buffer = new byte[CacheKey.MaxByteCount(key.Length)];
        int written = CacheKey.Encode(key, buffer);
        Assert.InRange(written, 0, buffer.Length);
        return buffer[..written];
    }

    [Theory]
    [InlineData("")]
    [InlineData("user:42:profile")]
    [InlineData("ключ")]
    [InlineData("😀 emoji")]
    public void Encode_ValidUtf16_IsUtf8(string key)
    {
        Assert.Equal(Encoding.UTF8.GetBytes(key), Encode(key));
    }

    [Fact]
    public void Encode_LoneSurrogate_IsMarkerThenUtf16LittleEndian()
    {
        // Built at run time: attribute arguments are stored as UTF-8, which cannot carry a lone surrogate.
        foreach (string key in new[] { "\uD800", "a\uDC00b", "\uDE00\uD83D" })
        {
            var expected = new List<byte> { CacheKey.Utf16Marker };
            foreach (char c in key)
            {
                expected.Add((byte)c);
                expected.Add((byte)(c >> 8));
            }

            Assert.Equal(expected, Encode(key));
        }
    }

    [Fact]
    public void Encode_IsInjective_OnRandomStringsWithSurrogates()
    {
        int seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        char[] alphabet = ['a', 'b', '\0', 'é', '\uFFFD', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFF', 'я'];
        var seen = new Dictionary<string, string>();
        for (int i = 0; i < 50_000; i++)
        {
            char[] chars = new char[random.Next(6)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            string key = new(chars);
            string encoded = Convert.ToHexString(Encode(key));
            if (seen.TryGetValue(encoded, out string? other))
            {
                Assert.True(other == key, $"seed {seed}: '{Escape(other)}' and '{Escape(key)}' encode alike");
            }
            else
            {
                seen.Add(encoded, key);
            }
        }
    }

    [Fact]
    public void MaxByteCount_CoversTheWorstCaseOfBothForms()
    {
        Assert.Equal(3 * 100, CacheKey.MaxByteCount(100));          // three-byte UTF-8 characters
        Assert.Equal(1, CacheKey.MaxByteCount(0));                   // the marker alone
        Assert.Equal(3, CacheKey.MaxByteCount(1));                   // a BMP character in UTF-8 beats marker + 2
        Assert.Equal(int.MaxValue, CacheKey.MaxByteCount(int.MaxValue / 2));

        string worst = new('\u20AC', 50);
        Assert.Equal(150, Encode(worst).Length);
        Assert.Equal(101, Encode(new string('\uD800', 50)).Length);
    }

    [Fact]
    public void RentAndReturn_GiveABufferLargeEnough()
    {
        byte[] rented = CacheKey.Rent(1000);
        Assert.True(rented.Length >= CacheKey.MaxByteCount(1000));
        CacheKey.Return(rented);
        CacheKey.Return(null);
    }

    private static string Escape(string s) => string.Concat(s.Select(static c => $"\\u{(int)c:X4}"));
}
