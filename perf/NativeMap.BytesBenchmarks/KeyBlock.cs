namespace NativeMap.BytesBenchmarks;

/// <summary>
/// Keys 0..count-1 of <see cref="KeySet"/> laid end to end in one array, for the throughput benchmarks: NativeBytesMap
/// gets its keys as spans of it (one GC object however many keys, as a server's request buffer would be), Dictionary
/// gets them as strings (<see cref="Strings"/>), each side in the form it works with, made before anything is timed.
/// </summary>
public sealed class KeyBlock
{
    private readonly byte[] _bytes;
    private readonly int[] _starts;

    public KeyBlock(int count)
    {
        _starts = new int[count + 1];
        _bytes = new byte[(long)count * KeySet.MaxLength > Array.MaxLength ? Array.MaxLength : count * KeySet.MaxLength];
        int at = 0;
        for (int i = 0; i < count; i++)
        {
            _starts[i] = at;
            at += KeySet.Write(i, _bytes.AsSpan(at));
        }

        _starts[count] = at;
    }

    public int Count => _starts.Length - 1;

    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(_starts[index], _starts[index + 1] - _starts[index]);

    /// <summary>Every key as a string.</summary>
    public string[] Strings()
    {
        string[] strings = new string[Count];
        for (int i = 0; i < strings.Length; i++)
        {
            strings[i] = System.Text.Encoding.ASCII.GetString(this[i]);
        }

        return strings;
    }
}
