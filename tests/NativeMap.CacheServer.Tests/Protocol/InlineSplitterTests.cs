using System.Buffers;
using System.Text;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Tests.Protocol;

public class InlineSplitterTests
{
    [Theory]
    [InlineData("set key value", new[] { "set", "key", "value" })]
    [InlineData("  set\tkey   value  ", new[] { "set", "key", "value" })]
    [InlineData("set \"a b\" c", new[] { "set", "a b", "c" })]
    [InlineData("echo \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", new[] { "echo", "\n\r\t\b\a\\\"q" })]
    [InlineData("echo \"\\x41\\x7a\\xZZ\"", new[] { "echo", "AzxZZ" })]
    [InlineData("echo 'it\\'s' '\\n'", new[] { "echo", "it's", "\\n" })]
    [InlineData("echo \"\"", new[] { "echo", "" })]
    [InlineData("echo a\"b c\" d", new[] { "echo", "ab c", "d" })]
    [InlineData("echo a\vb", new[] { "echo", "a\vb" })]
    [InlineData("echo ab\0cd ef", new[] { "echo", "ab" })]
    [InlineData("", new string[0])]
    [InlineData("   ", new string[0])]
    public void TrySplit_SplitsAsSdsSplitArgs(string line, string[] expected)
    {
        var arguments = new CommandArguments();
        Assert.True(new InlineSplitter().TrySplit(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(line)), arguments));
        string[] actual = [.. Enumerable.Range(0, arguments.Count).Select(i => Encoding.Latin1.GetString(arguments.Span(i)))];
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("echo \"abc")]
    [InlineData("echo 'abc")]
    [InlineData("echo \"abc\"d")]
    [InlineData("echo 'abc'd")]
    [InlineData("echo \"abc\\")]
    [InlineData("echo a\"b c\"d")]
    public void TrySplit_UnbalancedQuotes_Fails(string line)
    {
        Assert.False(new InlineSplitter().TrySplit(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(line)), new CommandArguments()));
    }
}
