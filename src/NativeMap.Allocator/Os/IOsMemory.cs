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

    /// <summary>Reserves <paramref name="size"/> bytes of memory for the heap's own metadata, aligned to
    /// <paramref name="alignment"/>, usable at once (committed on Windows) and reading as zero. Null when refused.</summary>
    void* ReserveMetadata(nuint size, nuint alignment);

    /// <summary>Lets the OS take back the physical pages of a metadata range, which stays usable: its contents are
    /// undefined afterwards (zero on Linux), and the next write faults a page in (<c>MADV_DONTNEED</c>; Windows
    /// <c>MEM_RESET</c>; macOS <c>MADV_FREE_REUSABLE</c>). False when refused.</summary>
    bool DiscardMetadata(void* address, nuint size);

    /// <summary>The size in bytes of a transparent huge page when the OS can back anonymous memory with them on
    /// request (Linux with THP in <c>madvise</c> or <c>always</c> mode: the PMD size, 2 MiB on x86-64); 0 when it
    /// cannot (THP <c>never</c> or absent, Windows, macOS).</summary>
    int HugePageSize { get; }

    /// <summary>Advises the OS to back <paramref name="size"/> bytes at <paramref name="address"/> (whole huge pages,
    /// aligned) with huge pages (<paramref name="huge"/>) or never to (<c>MADV_HUGEPAGE</c> / <c>MADV_NOHUGEPAGE</c>).
    /// Only pages faulted in after the advice are affected. A hint: false when the OS refused, nothing else changes.
    /// No-op (false) where <see cref="HugePageSize"/> is 0.</summary>
    bool AdviseHugePages(void* address, nuint size, bool huge);
}
