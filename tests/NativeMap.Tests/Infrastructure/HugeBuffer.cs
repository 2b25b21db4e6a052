using System.Buffers;
using System.Runtime.InteropServices;

namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// Over-limit inputs without the memory: a native block that is reserved but never touched (so it costs address space,
/// not RSS), seen as a span, and a sequence of any length whose bytes are never read (its memory throws if they are).
/// </summary>
public sealed unsafe class HugeBuffer : IDisposable
{
    private void* _block;

    public HugeBuffer(int length)
    {
        Length = length;
        _block = NativeMemory.Alloc((nuint)length);
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => new(_block, Length);

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }

    /// <summary>A sequence of <paramref name="length"/> bytes that throws if anything reads them.</summary>
    public static ReadOnlySequence<byte> UnreadableSequence(int length) => new(new Unreadable(length).Memory);

    private sealed class Unreadable : MemoryManager<byte>
    {
        private readonly int _length;

        public Unreadable(int length) => _length = length;

        public override Span<byte> GetSpan() => throw new InvalidOperationException("an over-limit value was read");

        public override MemoryHandle Pin(int elementIndex = 0) => throw new InvalidOperationException("an over-limit value was pinned");

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }

        public override Memory<byte> Memory => CreateMemory(_length);
    }
}
