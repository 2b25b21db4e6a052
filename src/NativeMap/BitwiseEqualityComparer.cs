using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeMap;

/// <summary>
/// Equality of unmanaged values as equality of their bytes, and a hash of all their bytes (XxHash3). Given to a
/// <see cref="NativeMap{TKey, TValue}"/>, it is the explicit opt-in to the map's bitwise fast path for a struct key the
/// map cannot prove bitwise by itself (for example one with a hand-written <c>Equals</c> that compares every field):
/// the map then hashes the key's bytes with its own seeded hash and compares them inline, as it does for <see cref="long"/>.
/// </summary>
/// <typeparam name="T">The key type.</typeparam>
/// <remarks>
/// Use it only where two keys are equal exactly when their bytes are: no padding bytes that may differ, no
/// <see cref="float"/> or <see cref="double"/> fields (-0.0 and 0.0 differ in bits, NaNs may be equal or not), no field
/// whose equality ignores some of its bits. The map's equality then is this comparer's, not the type's <c>Equals</c>.
/// Structs of integer, <see cref="bool"/>, <see cref="char"/> and enum fields with no padding and the default (or a record
/// struct's generated) equality need no opt-in: the map detects them.
/// </remarks>
public sealed class BitwiseEqualityComparer<T> : IEqualityComparer<T>
    where T : unmanaged
{
    private BitwiseEqualityComparer()
    {
    }

    /// <summary>The comparer (it has no state).</summary>
    public static BitwiseEqualityComparer<T> Instance { get; } = new();

    /// <summary>Whether the bytes of <paramref name="x"/> and <paramref name="y"/> are equal.</summary>
    /// <param name="x">A value.</param>
    /// <param name="y">Another value.</param>
    /// <returns>True when every byte is equal.</returns>
    public bool Equals(T x, T y) => Bytes(ref x).SequenceEqual(Bytes(ref y));

    /// <summary>XxHash3 of the bytes of <paramref name="obj"/>, folded to 32 bits (unseeded: the map seeds its own hash).</summary>
    /// <param name="obj">A value.</param>
    /// <returns>The hash code.</returns>
    public int GetHashCode(T obj)
    {
        ulong hash = XxHash3.HashToUInt64(Bytes(ref obj));
        return (int)(hash ^ (hash >> 32));
    }

    private static ReadOnlySpan<byte> Bytes(ref T value) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref value), Unsafe.SizeOf<T>());
}
