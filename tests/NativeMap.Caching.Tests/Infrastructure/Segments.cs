using System.Buffers;

namespace NativeMap.Caching.Tests.Infrastructure;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, the shape a pipe hands a cache.</summary>
public static class Segments
{
    /// <summary><paramref name="value"/> cut into <paramref name="pieces"/> segments (some possibly empty).</summary>
    public static ReadOnlySequence<byte> Split(byte[] value, int pieces)
    {
        if (pieces <= 1 || value.Length == 0)
        {
            return new ReadOnlySequence<byte>(value);
        }

        int step = Math.Max(1, value.Length / pieces);
        var first = new Segment(value.AsMemory(0, Math.Min(step, value.Length)), 0);
        Segment last = first;
        int offset = first.Memory.Length;
        for (int i = 1; i < pieces && offset < value.Length; i++)
        {
            int length = i == pieces - 1 ? value.Length - offset : Math.Min(step, value.Length - offset);
            last = last.Append(value.AsMemory(offset, length));
            offset += length;
        }

        if (offset < value.Length)
        {
            last = last.Append(value.AsMemory(offset));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
