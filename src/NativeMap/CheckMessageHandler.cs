using System.Runtime.CompilerServices;

namespace NativeMap;

/// <summary>
/// An interpolated string that is formatted only when its condition is false (as <c>Debug.Assert</c>'s is): Validate
/// checks millions of conditions and must not format a message for each.
/// </summary>
[InterpolatedStringHandler]
internal ref struct CheckMessageHandler
{
    private DefaultInterpolatedStringHandler _inner;

    public CheckMessageHandler(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public string ToStringAndClear() => _inner.ToStringAndClear();
}
