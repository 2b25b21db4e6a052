using System.Buffers;

namespace NativeMap;

/// <summary>The keys and values of a batch write (MSET).</summary>
public interface IKeyValueBatch : IKeyBatch
{
    /// <summary>Value <paramref name="index"/> (possibly multi-segment, straight from a request buffer).</summary>
    ReadOnlySequence<byte> GetValue(int index);
}
