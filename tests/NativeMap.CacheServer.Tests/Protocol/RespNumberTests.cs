using System.Text;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Tests.Protocol;

public class RespNumberTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("7", 7)]
    [InlineData("-7", -7)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void TryParse_Valid(string text, long expected)
    {
        Assert.True(RespNumber.TryParse(Encoding.ASCII.GetBytes(text), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("-0")]
    [InlineData("007")]
    [InlineData("+7")]
    [InlineData(" 7")]
    [InlineData("7 ")]
    [InlineData("1.5")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("123456789012345678901")]
    [InlineData("abc")]
    public void TryParse_Invalid(string text)
    {
        Assert.False(RespNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }
}
