using System.Buffers;
using System.Text;

namespace NativeMap.CacheServer.Protocol;

/// <summary>
/// The arguments of one request, argument 0 being the command name. Each is a slice of the connection's receive
/// buffer (or of the inline-request scratch buffer): nothing is copied while parsing, and a SET value reaches the
/// store as the <see cref="ReadOnlySequence{T}"/> it arrived in. The slices are valid until the request has been
/// executed: the connection advances its <c>PipeReader</c> past a request only after running it.
/// </summary>
/// <remarks>
/// <see cref="Span"/> gives an argument as one contiguous span. Almost every argument is in one buffer segment and
/// costs nothing; one that straddles two segments is copied into <see cref="_scratch"/>, a bump buffer reset per
/// request, so that several arguments can be held as spans at once.
/// </remarks>
internal sealed class CommandArguments
{
    /// <summary>Initial slots; a request with more arguments grows the array, and <see cref="Clear"/> drops a grown
    /// array above <see cref="KeepSlots"/> so that one huge MSET does not pin its slots for the connection's life.</summary>
    private const int InitialSlots = 16;

    private const int KeepSlots = 1024;

    /// <summary>Scratch kept between requests; a larger one (a big multi-segment key) is dropped after its request.</summary>
    private const int KeepScratchBytes = 64 * 1024;

    private ReadOnlySequence<byte>[] _items = new ReadOnlySequence<byte>[InitialSlots];

    /// <summary>Bump buffer for multi-segment arguments; bytes [0, _scratchUsed) hold this request's copies.</summary>
    private byte[] _scratch = [];

    private int _scratchUsed;

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count { get; private set; }

    /// <summary>Argument <paramref name="index"/> as it sits in the receive buffer.</summary>
    public ref readonly ReadOnlySequence<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _items[index];
        }
    }

    /// <summary>Argument <paramref name="index"/> as one span (copied into scratch only when it spans segments).</summary>
    public ReadOnlySpan<byte> Span(int index)
    {
        ref readonly ReadOnlySequence<byte> item = ref this[index];
        if (item.IsSingleSegment)
        {
            return item.FirstSpan;
        }

        int length = checked((int)item.Length);
        if (_scratch.Length - _scratchUsed < length)
        {
            // The old array stays alive while spans handed out earlier in this request point into it.
            _scratch = new byte[Math.Max(length, Math.Max(_scratch.Length * 2, 256))];
            _scratchUsed = 0;
        }

        Span<byte> copy = _scratch.AsSpan(_scratchUsed, length);
        item.CopyTo(copy);
        _scratchUsed += length;
        return copy;
    }

    /// <summary>Argument <paramref name="index"/> as an integer in Redis's strict syntax (<see cref="RespNumber"/>).</summary>
    public bool TryGetInt64(int index, out long value)
    {
        ref readonly ReadOnlySequence<byte> item = ref this[index];
        if (item.Length > RespNumber.MaxLength)
        {
            value = 0;
            return false;
        }

        return RespNumber.TryParse(Span(index), out value);
    }

    /// <summary>Whether argument <paramref name="index"/> is <paramref name="lowercaseToken"/>, ignoring ASCII case.</summary>
    public bool Is(int index, ReadOnlySpan<byte> lowercaseToken)
    {
        ref readonly ReadOnlySequence<byte> item = ref this[index];
        return item.Length == lowercaseToken.Length && Ascii.EqualsIgnoreCase(Span(index), lowercaseToken);
    }

    /// <summary>Argument <paramref name="index"/> decoded as UTF-8 (cold paths only: CONFIG, CLIENT, error texts).</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(Span(index));

    internal void Add(in ReadOnlySequence<byte> item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = item;
    }

    /// <summary>Forgets the arguments (and the buffer segments they referenced) before the next request.</summary>
    internal void Clear()
    {
        if (_items.Length > KeepSlots)
        {
            _items = new ReadOnlySequence<byte>[InitialSlots];
        }
        else
        {
            Array.Clear(_items, 0, Count);
        }

        Count = 0;
        _scratchUsed = 0;
        if (_scratch.Length > KeepScratchBytes)
        {
            _scratch = [];
        }
    }
}
