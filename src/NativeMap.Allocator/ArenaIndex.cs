namespace NativeMap.Allocator;

/// <summary>
/// Address → arena in O(1): a two-level radix table over the 48-bit user address space, keyed by
/// <c>address &gt;&gt; log2(arenaSize)</c> (Go's <c>arenaIndex</c> / <c>arenas[l1][l2]</c>). With 64 MiB arenas the
/// first level has 512 entries and each second-level chunk, allocated on first use, 8,192.
/// </summary>
/// <remarks>
/// Written under the page heap's lock; read without it. A second-level array is published with a release store
/// after it is filled, and arena references are written after the arena is fully built, so a reader that finds an
/// arena sees it initialised. An address outside the table (bits above 48) or in a chunk never used maps to null.
/// </remarks>
internal sealed class ArenaIndex
{
    private const int AddressBits = 48;
    private const int L2Bits = 13;
    private const int L2Mask = (1 << L2Bits) - 1;

    private readonly int _shift;
    private readonly Arena?[]?[] _l1;

    public ArenaIndex(long arenaSize)
    {
        _shift = System.Numerics.BitOperations.Log2((ulong)arenaSize);
        int keyBits = AddressBits - _shift;
        _l1 = new Arena?[]?[1 << Math.Max(0, keyBits - L2Bits)];
    }

    /// <summary>The arena containing <paramref name="address"/>, or null.</summary>
    public Arena? Find(nuint address)
    {
        nuint key = address >> _shift;
        nuint i1 = key >> L2Bits;
        Arena?[]?[] l1 = _l1;
        if (i1 >= (nuint)l1.Length)
        {
            return null;
        }

        Arena?[]? l2 = l1[(int)i1];
        return l2?[(int)(key & L2Mask)];
    }

    /// <summary>Whether the whole range [address, address + bytes) can be indexed.</summary>
    public bool CanIndex(nuint address, long bytes) => ((ulong)address + (ulong)bytes) >> AddressBits == 0;

    /// <summary>Maps every arena-size chunk of <paramref name="arena"/> to it. Caller holds the page heap lock.</summary>
    public void Add(Arena arena) => Set(arena, arena);

    /// <summary>Unmaps <paramref name="arena"/>. Caller holds the page heap lock.</summary>
    public void Remove(Arena arena) => Set(arena, null);

    private void Set(Arena arena, Arena? value)
    {
        nuint first = arena.Base >> _shift;
        nuint last = (arena.Base + (nuint)arena.Bytes - 1) >> _shift;
        for (nuint key = first; key <= last; key++)
        {
            int i1 = (int)(key >> L2Bits);
            Arena?[]? l2 = _l1[i1];
            if (l2 is null)
            {
                if (value is null)
                {
                    continue;
                }

                l2 = new Arena?[1 << L2Bits];
                Volatile.Write(ref _l1[i1], l2);
            }

            Volatile.Write(ref l2[(int)(key & L2Mask)], value);
        }
    }
}
