using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NativeMap.Allocator;

// Linux and macOS.
//
// Reserve: mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE). Pages cost nothing until first touched
// and then read as zero. Alignment comes from over-reserving by the alignment and unmapping the ragged ends.
//
// Release, Linux: madvise(MADV_DONTNEED). RSS falls at once and the next touch faults in a zero page. Go went back
// to DONTNEED from MADV_FREE in 1.16 because MADV_FREE leaves RSS high until the kernel is under pressure, which
// confuses every monitor that reads RSS; we follow it.
// Release, macOS: madvise(MADV_FREE_REUSABLE), which the kernel accounts immediately; the contents are not
// guaranteed to be zero afterwards (ReleasedPagesReadZero is false there).
//
// Huge pages, Linux: madvise(MADV_HUGEPAGE) on whole 2 MiB-aligned huge pages of a large span, before anything touches
// them: with THP in "madvise" mode (and defrag "madvise") the kernel then allocates a 2 MiB page at the first fault in
// each (it does so only when the whole aligned 2 MiB lies in a VM_HUGEPAGE mapping and no 4 KiB page of it is mapped
// yet; advice given after the first touch leaves the range to khugepaged, which collapses slowly). MADV_NOHUGEPAGE
// undoes it before the range is reused for small spans. macOS has no huge pages for anonymous memory that madvise
// could ask for, and Windows large pages need SeLockMemoryPrivilege and are never paged or decommitted, which the
// heap's release model needs: both report HugePageSize 0 and advise nothing.
//
// With ProtectReleasedPages, released ranges are also mprotect(PROT_NONE) and Commit makes them PROT_READ|WRITE again.
internal sealed unsafe partial class OsMemory
{
    private const int ProtNone = 0;
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymousLinux = 0x20;
    private const int MapAnonymousMac = 0x1000;
    private const int MapNoReserveLinux = 0x4000;
    private const int MapNoReserveMac = 0x40;
    private const int MadvDontNeed = 4;
    private const int MadvFreeReusableMac = 7;
    private const int MadvHugePageLinux = 14;
    private const int MadvNoHugePageLinux = 15;
    private static readonly void* s_mapFailed = (void*)-1;

    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("macos")]
    [SupportedOSPlatform("freebsd")]
    private static void* ReserveUnix(nuint size, nuint alignment)
    {
        nuint padded = size + alignment;
        if (padded < size)
        {
            return null;
        }

        int flags = OperatingSystem.IsMacOS()
            ? MapPrivate | MapAnonymousMac | MapNoReserveMac
            : MapPrivate | MapAnonymousLinux | MapNoReserveLinux;
        void* raw = mmap(null, padded, ProtReadWrite, flags, -1, 0);
        if (raw == s_mapFailed)
        {
            return null;
        }

        nuint start = (nuint)raw;
        nuint aligned = (start + alignment - 1) & ~(alignment - 1);
        if (aligned > start)
        {
            _ = munmap(raw, aligned - start);
        }

        nuint end = start + padded;
        nuint alignedEnd = aligned + size;
        if (end > alignedEnd)
        {
            _ = munmap((void*)alignedEnd, end - alignedEnd);
        }

        return (void*)aligned;
    }

    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("macos")]
    [SupportedOSPlatform("freebsd")]
    private bool ReleaseUnix(void* address, nuint size)
    {
        int advice = OperatingSystem.IsMacOS() ? MadvFreeReusableMac : MadvDontNeed;
        if (madvise(address, size, advice) != 0)
        {
            return false;
        }

        return !_protectReleased || mprotect(address, size, ProtNone) == 0;
    }

    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("macos")]
    [SupportedOSPlatform("freebsd")]
    private bool CommitUnix(void* address, nuint size) =>
        !_protectReleased || mprotect(address, size, ProtReadWrite) == 0;

    /// <summary>Metadata pages: released like heap pages, but never protected (lock-free lookups may read them).</summary>
    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("macos")]
    [SupportedOSPlatform("freebsd")]
    private static bool DiscardUnix(void* address, nuint size) =>
        madvise(address, size, OperatingSystem.IsMacOS() ? MadvFreeReusableMac : MadvDontNeed) == 0;

    [SupportedOSPlatform("linux")]
    private static bool AdviseHugePagesLinux(void* address, nuint size, bool huge) =>
        madvise(address, size, huge ? MadvHugePageLinux : MadvNoHugePageLinux) == 0;

    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("macos")]
    [SupportedOSPlatform("freebsd")]
    private static void UnreserveUnix(void* address, nuint size) => _ = munmap(address, size);

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* mmap(void* address, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(void* address, nuint length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(void* address, nuint length, int prot);
}
