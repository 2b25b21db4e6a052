using System.Buffers;

namespace NativeMap.Tests.Infrastructure;

/// <summary>An <see cref="IKeyValueBatch"/> over arrays, for the store's batch calls.</summary>
public readonly struct KeyList : IKeyValueBatch
{
    private readonly byte[][] _keys;
    private readonly byte[][]? _values;

    public KeyList(byte[][] keys, byte[][]? values = null)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;

    public ReadOnlySpan<byte> GetKey(int index) => _keys[index];

    public ReadOnlySequence<byte> GetValue(int index) => new(_values![index]);
}
