using System.Buffers;

namespace NativeMap;

/// <summary>A value stored as a header followed by a payload from a sequence (the distributed cache's sliding data
/// beside its value).</summary>
internal readonly ref struct HeaderedValueSource : IValueSource
{
    private readonly ReadOnlySpan<byte> _header;
    private readonly ReadOnlySequence<byte> _payload;

    public HeaderedValueSource(ReadOnlySpan<byte> header, in ReadOnlySequence<byte> payload)
    {
        _header = header;
        _payload = payload;
    }

    public long Length => _header.Length + _payload.Length;

    public void CopyTo(Span<byte> destination)
    {
        _header.CopyTo(destination);
        _payload.CopyTo(destination[_header.Length..]);
    }
}
