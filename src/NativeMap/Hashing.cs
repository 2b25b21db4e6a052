using System.IO.Hashing;
using System.Numerics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NativeMap;

/*
 * Hashing and key equality.
 *
 * Every map draws a random 128+64-bit seed (HashSeed) and draws it again whenever it becomes empty, as Go does: an
 * attacker who learns how keys collide in one incarnation of a map learns nothing about the next.
 *
 * Key kinds, chosen once per closed type and folded by the JIT (typeof(T) == typeof(X) tests and static readonly
 * fields are constants in optimised code):
 *
 *   Bitwise   bool, byte, sbyte, short, ushort, char, int, uint, long, ulong, nint, nuint, enums (1-8 bytes), Guid,
 *             Int128, UInt128. EqualityComparer<T>.Default compares these bit for bit, so we compare the bits with ==
 *             and hash all of them (full width, not a folded 32-bit GetHashCode):
 *                 8 bytes or less:  Fold(bits)  =  Mix(bits ^ s0, rotl(bits, 32) ^ s1)
 *                 16 bytes:         Fold(Mix(lo ^ s0, hi ^ s1) ^ s2)
 *             Mix(a, b) is the high word XOR the low word of the 128-bit product a*b (wyhash's "mum"): one multiply.
 *             Both factors depend on the key, so the product is quadratic in it. (Multiplying by a constant alone is
 *             linear: keys i << 32 then land in buckets (i * m) mod 2^B, and an m with low zero bits leaves half the
 *             buckets empty and the rest overflowing; measured 50 % overflow buckets at load 6.1 for some seeds.) Keys
 *             built to collide under long.GetHashCode() (hi == lo, multiples of 2^32) spread like any others.
 *   Bitwise   also: structs whose default equality is exactly bit-for-bit equality, detected once per type
 *   structs   (BitwiseStructs.IsBitwiseEquatable): not explicit layout, every instance field (recursively) an integer,
 *             bool, char, enum or such a struct, no padding (the fields' sizes sum to the struct's size), and no
 *             Equals/GetHashCode of its own other than the compiler's (a record struct's generated equality compares its
 *             fields with their default comparers, which for these fields is bitwise; ValueType.Equals of such a struct
 *             is a memcmp). Anything else (a float field, padding, a hand-written Equals even if bitwise in fact) stays
 *             Comparer, unless the map is given BitwiseEqualityComparer<T> (the explicit opt-in: the user vouches that
 *             equal keys have equal bytes). Structs of 1, 2, 4, 8 or 16 bytes hash as above; other sizes hash with
 *             XxHash3 (System.IO.Hashing) seeded with S0, and compare with a span compare (unrolled for a constant size).
 *             Measured in perf/README.md (the 24-byte key).
 *   Double,   hashed over their bits after normalising (d + 0.0 turns -0.0 into +0.0; every NaN becomes the canonical
 *   Single    NaN) and compared as a == b || (a is NaN && b is NaN): exactly double.Equals, the default comparer.
 *   Comparer  every other type (structs, decimal, DateTime, ...) and every map given a comparer other than the default:
 *             Fold((uint)comparer.GetHashCode(key)) and comparer.Equals. Only 32 bits of entropy come in, so a
 *             type whose GetHashCode collides easily can still be flooded; the seed only keeps the bucket order secret.
 *
 * The low B bits of the hash choose the bucket, the top 8 bits make the tophash; where removes move entries under an
 * enumerator, it orders them by the bit-reversed hash (see NativeMap.Enumerator.cs).
 */

/// <summary>How a key type is hashed and compared when the map uses the default comparer.</summary>
internal enum KeyKind
{
    /// <summary>Compared and hashed bit for bit.</summary>
    Bitwise,

    /// <summary><see cref="double"/>: -0.0 equals 0.0, NaN equals NaN.</summary>
    Double,

    /// <summary><see cref="float"/>: -0.0 equals 0.0, NaN equals NaN.</summary>
    Single,

    /// <summary>Through <see cref="EqualityComparer{T}.Default"/>.</summary>
    Comparer,
}

/// <summary>Per-map hash seed.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct HashSeed
{
    /// <summary>XORed into the key before the first multiply.</summary>
    public readonly ulong S0;

    /// <summary>The multiplier: always odd.</summary>
    public readonly ulong S1;

    /// <summary>Second-round key for 16-byte keys.</summary>
    public readonly ulong S2;

    private HashSeed(ulong s0, ulong s1, ulong s2)
    {
        S0 = s0;
        S1 = s1 | 1;
        S2 = s2;
    }

    /// <summary>A fresh random seed from <paramref name="source"/>, or from Random.Shared (seeded from the OS, thread-safe,
    /// allocation-free) when it is null.</summary>
    public static HashSeed Draw(Random? source)
    {
        Random random = source ?? Random.Shared;
        return new((ulong)random.NextInt64(long.MinValue, long.MaxValue),
            (ulong)random.NextInt64(long.MinValue, long.MaxValue),
            (ulong)random.NextInt64(long.MinValue, long.MaxValue));
    }
}

/// <summary>Hash functions and equality of <typeparamref name="TKey"/> under the default comparer.</summary>
internal static class KeyHashing<TKey>
    where TKey : unmanaged
{
    /// <summary>The kind of <typeparamref name="TKey"/>.</summary>
    public static readonly KeyKind Kind = ComputeKind();

    private const ulong NaNBits = 0x7FF8_0000_0000_0000UL;
    private const uint NaNBitsSingle = 0x7FC0_0000U;

    /// <summary>Hash of up to 64 bits of key: a multiply of two key-dependent factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fold(ulong bits, in HashSeed seed) => Mix(bits ^ seed.S0, BitOperations.RotateLeft(bits, 32) ^ seed.S1);

    /// <summary>wyhash's mum: high XOR low word of the 128-bit product.</summary>
    /// <remarks>On x64 the high word comes from mulx and the low word from a second multiply: Math.BigMul (both its
    /// UInt128 and its out form) stores the low word to the stack and loads it back, two memory operations on every
    /// lookup (seen in the JIT's disassembly, .NET 10).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b) ^ (a * b);
        }

        UInt128 product = Math.BigMul(a, b);
        return (ulong)product ^ (ulong)(product >> 64);
    }

    /// <summary>Hash of a key of kind Bitwise, Double or Single.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashDefault(in TKey key, in HashSeed seed)
    {
        if (typeof(TKey) == typeof(double))
        {
            double d = Unsafe.As<TKey, double>(ref Unsafe.AsRef(in key));
            ulong bits = double.IsNaN(d) ? NaNBits : BitConverter.DoubleToUInt64Bits(d + 0.0);
            return Fold(bits, seed);
        }

        if (typeof(TKey) == typeof(float))
        {
            float f = Unsafe.As<TKey, float>(ref Unsafe.AsRef(in key));
            uint bits = float.IsNaN(f) ? NaNBitsSingle : BitConverter.SingleToUInt32Bits(f + 0.0f);
            return Fold(bits, seed);
        }

        ref byte b = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in key));
        if (Unsafe.SizeOf<TKey>() == 8)
        {
            return Fold(Unsafe.ReadUnaligned<ulong>(ref b), seed);
        }

        if (Unsafe.SizeOf<TKey>() == 4)
        {
            return Fold(Unsafe.ReadUnaligned<uint>(ref b), seed);
        }

        if (Unsafe.SizeOf<TKey>() == 2)
        {
            return Fold(Unsafe.ReadUnaligned<ushort>(ref b), seed);
        }

        if (Unsafe.SizeOf<TKey>() == 1)
        {
            return Fold(b, seed);
        }

        if (Unsafe.SizeOf<TKey>() == 16)
        {
            // Guid, Int128, UInt128, 16-byte structs.
            ulong lo = Unsafe.ReadUnaligned<ulong>(ref b);
            ulong hi = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 8));
            return Fold(Mix(lo ^ seed.S0, hi ^ seed.S1) ^ seed.S2, seed);
        }

        // Structs of any other size.
        return XxHash3.HashToUInt64(MemoryMarshal.CreateReadOnlySpan(ref b, Unsafe.SizeOf<TKey>()), (long)seed.S0);
    }

    /// <summary>Equality of keys of kind Bitwise, Double or Single, as the default comparer defines it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EqualsDefault(in TKey x, in TKey y)
    {
        if (typeof(TKey) == typeof(double))
        {
            double a = Unsafe.As<TKey, double>(ref Unsafe.AsRef(in x));
            double b = Unsafe.As<TKey, double>(ref Unsafe.AsRef(in y));
            return a == b || (double.IsNaN(a) && double.IsNaN(b));
        }

        if (typeof(TKey) == typeof(float))
        {
            float a = Unsafe.As<TKey, float>(ref Unsafe.AsRef(in x));
            float b = Unsafe.As<TKey, float>(ref Unsafe.AsRef(in y));
            return a == b || (float.IsNaN(a) && float.IsNaN(b));
        }

        ref byte l = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in x));
        ref byte r = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in y));
        if (Unsafe.SizeOf<TKey>() == 8)
        {
            return Unsafe.ReadUnaligned<ulong>(ref l) == Unsafe.ReadUnaligned<ulong>(ref r);
        }

        if (Unsafe.SizeOf<TKey>() == 4)
        {
            return Unsafe.ReadUnaligned<uint>(ref l) == Unsafe.ReadUnaligned<uint>(ref r);
        }

        if (Unsafe.SizeOf<TKey>() == 2)
        {
            return Unsafe.ReadUnaligned<ushort>(ref l) == Unsafe.ReadUnaligned<ushort>(ref r);
        }

        if (Unsafe.SizeOf<TKey>() == 1)
        {
            return l == r;
        }

        if (Unsafe.SizeOf<TKey>() == 16)
        {
            return Unsafe.ReadUnaligned<ulong>(ref l) == Unsafe.ReadUnaligned<ulong>(ref r)
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref l, 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref r, 8));
        }

        return MemoryMarshal.CreateReadOnlySpan(ref l, Unsafe.SizeOf<TKey>()).SequenceEqual(MemoryMarshal.CreateReadOnlySpan(ref r, Unsafe.SizeOf<TKey>()));
    }

    /// <summary>Hash through a comparer: 32 bits of GetHashCode, mixed with the seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashCode(int hashCode, in HashSeed seed) => Fold((uint)hashCode, seed);

    private static KeyKind ComputeKind()
    {
        Type t = typeof(TKey);
        if (t == typeof(double))
        {
            return KeyKind.Double;
        }

        if (t == typeof(float))
        {
            return KeyKind.Single;
        }

        if ((t.IsPrimitive || t.IsEnum) && Unsafe.SizeOf<TKey>() is 1 or 2 or 4 or 8)
        {
            return KeyKind.Bitwise;
        }

        if (t == typeof(Guid) || t == typeof(Int128) || t == typeof(UInt128))
        {
            return KeyKind.Bitwise;
        }

        return BitwiseStructs.IsBitwiseEquatable(t) ? KeyKind.Bitwise : KeyKind.Comparer;
    }
}

/// <summary>Which struct types compare bit for bit under <see cref="EqualityComparer{T}.Default"/> (see the comment at the top).</summary>
internal static class BitwiseStructs
{
    /// <summary>
    /// Whether the default equality of <paramref name="type"/> is exactly equality of its bytes. Conservative: a false
    /// answer only costs speed, a wrong true answer would break the map.
    /// </summary>
    public static bool IsBitwiseEquatable(Type type) => IsBitwise(type, depth: 0);

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "A trimmed app keeps every instance field of a value type (its layout "
        + "depends on them) and the Equals/GetHashCode overrides and IEquatable<T>.Equals of a type EqualityComparer<T>.Default "
        + "may call (virtual and interface dispatch keep them), which are the only members read here.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above, for the fields' types.")]
    private static bool IsBitwise(Type type, int depth)
    {
        if (type.IsEnum)
        {
            return true;
        }

        if (type.IsPrimitive)
        {
            return type != typeof(float) && type != typeof(double);
        }

        if (!type.IsValueType || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Nullable<>) || type.IsExplicitLayout || depth > 16)
        {
            return false;
        }

        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (MethodInfo method in type.GetMethods(Instance))
        {
            string name = method.Name;
            bool equality = name is "Equals" or "GetHashCode" || name.EndsWith(".Equals", StringComparison.Ordinal) || name.EndsWith(".GetHashCode", StringComparison.Ordinal);
            if (equality && !method.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
            {
                return false; // written by hand: bitwise or not, we cannot tell
            }
        }

        FieldInfo[] fields = type.GetFields(Instance);
        if (fields.Length == 0)
        {
            return false; // an empty struct has a padding byte
        }

        long size = 0;
        foreach (FieldInfo field in fields)
        {
            if (!IsBitwise(field.FieldType, depth + 1))
            {
                return false;
            }

            size += RuntimeHelpers.SizeOf(field.FieldType.TypeHandle);
        }

        return size == RuntimeHelpers.SizeOf(type.TypeHandle); // no padding between or after the fields
    }
}
