namespace NativeMap.CacheServer.Protocol;

/// <summary>What <see cref="RequestParser.Parse"/> made of the bytes it was given.</summary>
internal enum ParseStatus
{
    /// <summary>A whole request was read (possibly with no arguments: an empty line or <c>*0</c>, to be skipped).</summary>
    Complete,

    /// <summary>The request is not all there yet; read until the buffer holds <see cref="RequestParser.BytesNeeded"/>.</summary>
    Incomplete,

    /// <summary>The bytes break the protocol: reply <see cref="RequestParser.Error"/> and close, as Redis does.</summary>
    Error,
}
