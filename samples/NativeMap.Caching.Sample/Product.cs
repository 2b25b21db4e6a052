namespace NativeMap.Caching.Sample;

/// <summary>What the sample caches: a record HybridCache serializes as JSON into the native L2.</summary>
public sealed record Product(int Id, string Name, decimal Price, DateTimeOffset LoadedAt);
