namespace NativeMap;

/// <summary>Where the bytes of a value being stored come from: a span, or a (multi-segment) sequence.</summary>
/// <remarks>Implemented by structs and ref structs so that generic callers are specialised and nothing is boxed.</remarks>
internal interface IValueSource
{
    /// <summary>The value's length in bytes (checked against the limit before anything is allocated).</summary>
    long Length { get; }

    /// <summary>Copies the whole value to <paramref name="destination"/>, which is exactly <see cref="Length"/> bytes.</summary>
    void CopyTo(Span<byte> destination);
}
