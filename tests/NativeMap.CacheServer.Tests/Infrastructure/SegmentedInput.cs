using System.Buffers;

namespace NativeMap.CacheServer.Tests.Infrastructure;

/// <summary>
/// Bytes cut into a chain of buffer segments at chosen points, exposed a prefix at a time the way a
/// <c>PipeReader</c> exposes what has arrived: the same segment objects from one "read" to the next, so that positions
/// a parser kept stay valid, as they do in a real pipe.
/// </summary>
public sealed class SegmentedInput
{
    private readonly List<Segment> _segments = [];

    public SegmentedInput(byte[] bytes, IEnumerable<int> cuts)
    {
        int start = 0;
        Segment? previous = null;
        foreach (int cut in cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length))
        {
            var segment = new Segment(bytes.AsMemory(start, cut - start), previous);
            _segments.Add(segment);
            previous = segment;
            start = cut;
        }

        if (_segments.Count == 0)
        {
            _segments.Add(new Segment(Memory<byte>.Empty, null));
        }
    }

    /// <summary>Number of segments: each is one "read".</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>The bytes from <paramref name="consumed"/> (default: the start) to the end of segment <paramref name="lastSegment"/>.</summary>
    public ReadOnlySequence<byte> Through(int lastSegment, SequencePosition? consumed = null)
    {
        Segment end = _segments[lastSegment];
        if (consumed is { } position && position.GetObject() is Segment startSegment)
        {
            return new ReadOnlySequence<byte>(startSegment, position.GetInteger(), end, end.Memory.Length);
        }

        return new ReadOnlySequence<byte>(_segments[0], 0, end, end.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
