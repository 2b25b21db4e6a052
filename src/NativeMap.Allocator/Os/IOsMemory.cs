namespace NativeMap.Allocator;

/// <summary>
/// The heap's whole contract with the operating system (mimalloc's <c>prim/</c> in miniature). The real one is
/// <see cref="OsMemory"/>; tests substitute their own to inject failures and count calls.
/// </summary>
/// <remarks>
/// Calls may come from any thread. The heap never calls <see cref="Release"/> or <see cref="Commit"/> with its lock
/// held; <see cref="Reserve"/> runs under the heap lock when the heap grows (as Go's <c>sysReserve</c> does), which
/// is rare and costs microseconds.
/// </remarks>
internal unsafe interface IOsMemory
{
    /// <summary>The kernel's page size in bytes: 4 KiB on x86-64, 16 or 64 KiB on some arm64 and ppc64 kernels.</summary>
    int PageSize { get; }

    /// <summary>Whether a page reads as zero after <see cref="Release"/> (true for <c>MADV_DONTNEED</c> on private
    /// anonymous memory and for Windows decommit; false for macOS <c>MADV_FREE_REUSABLE</c>). Fresh reservations read
    /// as zero only when this is true, as far as the heap is concerned.</summary>
    bool ReleasedPagesReadZero { get; }

    /// <summary>Whether a released page must be passed to <see cref="Commit"/> before it is used again (Windows;
    /// and everywhere when released pages are protected).</summary>
    bool ReuseNeedsCommit { get; }

    /// <summary>Reserves <paramref name="size"/> bytes aligned to <paramref name="alignment"/> (a power of two). The
    /// memory is in the released state. Returns null when the OS refuses.</summary>
    void* Reserve(nuint size, nuint alignment);

    /// <summary>Returns the physical pages of a range to the OS, keeping the address space. False on failure, in which
    /// case the pages are as they were.</summary>
    bool Release(void* address, nuint size);

    /// <summary>Makes released pages usable again. False on failure (out of commit charge).</summary>
    bool Commit(void* address, nuint size);

    /// <summary>Gives a whole reservation back.</summary>
    void Unreserve(void* address, nuint size);
}
