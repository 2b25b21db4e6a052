using System.Text;
using NativeMap.CacheServer.Text;

namespace NativeMap.CacheServer.Tests.Protocol;

public class GlobPatternTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h*llo", "hllo", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[b-a]llo", "hbllo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hallo", false)]
    [InlineData("key:*:x", "key:1:2:x", true)]
    [InlineData("key:*:x", "key:1:2:y", false)]
    [InlineData("a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("*b", "ab", true)]
    [InlineData("a*", "b", false)]
    [InlineData("[abc", "b", true)]
    [InlineData("x[\\]]y", "x]y", true)]
    public void IsMatch_FollowsRedisStringMatch(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, GlobPattern.IsMatch(Encoding.ASCII.GetBytes(pattern), Encoding.ASCII.GetBytes(text), ignoreCase: false));
    }

    [Fact]
    public void IsMatch_IgnoreCase_FoldsAsciiOnly()
    {
        Assert.True(GlobPattern.IsMatch("MAX*"u8, "maxmemory"u8, ignoreCase: true));
        Assert.True(GlobPattern.IsMatch("[A-C]x"u8, "bx"u8, ignoreCase: true));
        Assert.False(GlobPattern.IsMatch("MAX*"u8, "maxmemory"u8, ignoreCase: false));
    }
}
