using System.Text;

namespace NativeMap.CacheServer.Load;

/// <summary>The keys and values every run writes: <c>key:0000000042</c> and a value whose bytes depend on the key,
/// the same for both servers.</summary>
public static class Keys
{
    public static byte[] Key(long index) => Encoding.ASCII.GetBytes($"key:{index:D10}");

    /// <summary>Bytes of a key (all keys have the same length).</summary>
    public const int KeyLength = 14;

    public static void FillValue(Span<byte> value, long index)
    {
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + ((index + i) % 26));
        }
    }
}
