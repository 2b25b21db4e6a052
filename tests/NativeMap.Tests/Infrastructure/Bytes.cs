using System.Text;

namespace NativeMap.Tests.Infrastructure;

/// <summary>Short helpers for byte strings in tests.</summary>
public static class Bytes
{
    public static byte[] Of(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
