using System.Text.Json.Serialization;

namespace NativeMap.Caching.Sample;

/// <summary>A product and whether this request had to load it (false: a cache hit).</summary>
public sealed record ProductResponse(Product Product, bool Loaded);

/// <summary>What the native second level holds for a key.</summary>
public sealed record L2Response(string Key, int Bytes);

/// <summary>The cache's counters and its heap's memory.</summary>
public sealed record StatsResponse(
    long Entries, long Bytes, long Hits, long Misses, long Evictions, long Expirations,
    long HeapInUseBytes, long HeapIdleBytes, long HeapReleasedBytes);

/// <summary>Source-generated JSON for the responses (the slim builder has no reflection-based serializer by default).</summary>
[JsonSerializable(typeof(ProductResponse))]
[JsonSerializable(typeof(L2Response))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(Product))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
