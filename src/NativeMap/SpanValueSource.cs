namespace NativeMap;

/// <summary>A value held in a span.</summary>
internal readonly ref struct SpanValueSource : IValueSource
{
    private readonly ReadOnlySpan<byte> _value;

    public SpanValueSource(ReadOnlySpan<byte> value) => _value = value;

    public long Length => _value.Length;

    public void CopyTo(Span<byte> destination) => _value.CopyTo(destination);
}
