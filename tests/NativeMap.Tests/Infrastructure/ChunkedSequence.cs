using System.Buffers;

namespace NativeMap.Tests.Infrastructure;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a <c>PipeReader</c> hands them out.</summary>
public static class ChunkedSequence
{
    /// <summary>The bytes of <paramref name="data"/> cut at random points into segments (some of them empty).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, Random random)
    {
        int pieces = random.Next(1, 6);
        var cuts = new List<int> { 0, data.Length };
        for (int i = 1; i < pieces; i++)
        {
            cuts.Add(random.Next(data.Length + 1));
        }

        cuts.Sort();
        Segment? first = null;
        Segment? last = null;
        for (int i = 0; i + 1 < cuts.Count; i++)
        {
            // Each segment gets its own array, so nothing relies on the pieces being adjacent in memory.
            var memory = new ReadOnlyMemory<byte>(data.AsSpan(cuts[i], cuts[i + 1] - cuts[i]).ToArray());
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
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
