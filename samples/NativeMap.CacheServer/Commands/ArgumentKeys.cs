using System.Buffers;
using NativeMap.CacheServer.Protocol;

namespace NativeMap.CacheServer.Commands;

/// <summary>The keys of a request as the store's batch calls take them: arguments <c>first</c>, <c>first + step</c>, …
/// (DEL k1 k2: first 1, step 1; MSET k1 v1 k2 v2: first 1, step 2), read from the receive buffer in place.</summary>
internal readonly struct ArgumentKeys : IKeyBatch
{
    private readonly CommandArguments _args;
    private readonly int _first;
    private readonly int _step;

    public ArgumentKeys(CommandArguments args, int first, int step = 1)
    {
        _args = args;
        _first = first;
        _step = step;
        Count = (args.Count - first + step - 1) / step;
    }

    public int Count { get; }

    public ReadOnlySpan<byte> GetKey(int index) => _args.Span(_first + (index * _step));
}

/// <summary>MSET's key/value pairs (arguments 1, 2; 3, 4; …): keys as spans, values as the sequences they arrived in.</summary>
internal readonly struct ArgumentPairs : IKeyValueBatch
{
    private readonly CommandArguments _args;

    public ArgumentPairs(CommandArguments args)
    {
        _args = args;
        Count = (args.Count - 1) / 2;
    }

    public int Count { get; }

    public ReadOnlySpan<byte> GetKey(int index) => _args.Span(1 + (2 * index));

    public ReadOnlySequence<byte> GetValue(int index) => _args[2 + (2 * index)];
}
