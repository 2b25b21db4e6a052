using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NativeMap.Allocator;

// Windows.
//
// Reserve: VirtualAlloc(MEM_RESERVE, PAGE_NOACCESS) reserves address space with no commit charge. Pages must be
// committed before use, so fresh pages start in the heap's "released" state and ReuseNeedsCommit is true.
// Alignment: reserve size + alignment, free it, and reserve again at the aligned address inside it (another thread
// may take the hole in between, so retry a few times).
//
// Release: VirtualFree(MEM_DECOMMIT) returns the pages and their commit charge; the range stays reserved.
// Commit: VirtualAlloc(MEM_COMMIT, PAGE_READWRITE); committed pages read as zero. Commit can fail when the system
// commit limit is reached: the heap turns that into OutOfMemoryException and keeps the pages released.
//
// Not exercised by this repository's CI (Linux only).
internal sealed unsafe partial class OsMemory
{
    private const uint MemCommit = 0x1000;
    private const uint MemReserve = 0x2000;
    private const uint MemDecommit = 0x4000;
    private const uint MemRelease = 0x8000;
    private const uint MemReset = 0x80000;
    private const uint PageNoAccess = 0x01;
    private const uint PageReadWrite = 0x04;

    [SupportedOSPlatform("windows")]
    private static void* ReserveWindows(nuint size, nuint alignment)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            nuint padded = size + alignment;
            if (padded < size)
            {
                return null;
            }

            void* probe = VirtualAlloc(null, padded, MemReserve, PageNoAccess);
            if (probe == null)
            {
                return null;
            }

            nuint aligned = ((nuint)probe + alignment - 1) & ~(alignment - 1);
            if (aligned == (nuint)probe)
            {
                // Already aligned: shrinking a reservation is impossible on Windows, so reserve exactly again.
                _ = VirtualFree(probe, 0, MemRelease);
                void* exact = VirtualAlloc(probe, size, MemReserve, PageNoAccess);
                if (exact != null)
                {
                    return exact;
                }

                continue;
            }

            _ = VirtualFree(probe, 0, MemRelease);
            void* result = VirtualAlloc((void*)aligned, size, MemReserve, PageNoAccess);
            if (result != null)
            {
                return result;
            }
        }

        return null;
    }

    [SupportedOSPlatform("windows")]
    private static bool ReleaseWindows(void* address, nuint size) => VirtualFree(address, size, MemDecommit) != 0;

    [SupportedOSPlatform("windows")]
    private static bool CommitWindows(void* address, nuint size) => VirtualAlloc(address, size, MemCommit, PageReadWrite) != null;

    /// <summary>Metadata pages: MEM_RESET keeps them committed (no commit on reuse) and lets the OS drop their contents.</summary>
    [SupportedOSPlatform("windows")]
    private static bool ResetWindows(void* address, nuint size) => VirtualAlloc(address, size, MemReset, PageReadWrite) != null;

    [SupportedOSPlatform("windows")]
    private static void UnreserveWindows(void* address) => _ = VirtualFree(address, 0, MemRelease);

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protect);

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial int VirtualFree(void* address, nuint size, uint freeType);
}
