using System.Buffers;

namespace NativeMap;

/// <summary>A value held in a <see cref="ReadOnlySequence{T}"/> (for example straight from a <c>PipeReader</c>), copied segment by segment.</summary>
internal readonly struct SequenceValueSource : IValueSource
{
    private readonly ReadOnlySequence<byte> _value;

    public SequenceValueSource(in ReadOnlySequence<byte> value) => _value = value;

    public long Length => _value.Length;

    public void CopyTo(Span<byte> destination) => _value.CopyTo(destination);
}
