namespace NativeMap.Allocator;

/// <summary>
/// The real OS memory layer. Each platform's behaviour is described in its own partial file
/// (<c>OsMemory.Unix.cs</c>, <c>OsMemory.Windows.cs</c>); both always compile and the choice is made at run time
/// with <see cref="OperatingSystem.IsWindows"/>, which the JIT folds to a constant.
/// </summary>
/// <remarks>Only the Linux path is exercised by this repository's tests and CI.</remarks>
internal sealed unsafe partial class OsMemory : IOsMemory
{
    private readonly bool _protectReleased;

    /// <param name="protectReleased">Debug aid: map released pages inaccessible (Unix) so any use faults at once.
    /// Windows decommitted pages already fault.</param>
    public OsMemory(bool protectReleased)
    {
        _protectReleased = protectReleased;
        PageSize = Environment.SystemPageSize;
        HugePageSize = OperatingSystem.IsLinux() ? TransparentHugePages.PmdSizeIfAvailable() : 0;
    }

    public int PageSize { get; }

    public int HugePageSize { get; }

    public bool ReleasedPagesReadZero => !OperatingSystem.IsMacOS();

    public bool ReuseNeedsCommit => OperatingSystem.IsWindows() || _protectReleased;

    public void* Reserve(nuint size, nuint alignment)
    {
        if (OperatingSystem.IsWindows())
        {
            return ReserveWindows(size, alignment);
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return ReserveUnix(size, alignment);
        }

        throw new PlatformNotSupportedException();
    }

    public bool Release(void* address, nuint size)
    {
        if (OperatingSystem.IsWindows())
        {
            return ReleaseWindows(address, size);
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return ReleaseUnix(address, size);
        }

        throw new PlatformNotSupportedException();
    }

    public bool Commit(void* address, nuint size)
    {
        if (OperatingSystem.IsWindows())
        {
            return CommitWindows(address, size);
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return CommitUnix(address, size);
        }

        throw new PlatformNotSupportedException();
    }

    public void* ReserveMetadata(nuint size, nuint alignment)
    {
        if (OperatingSystem.IsWindows())
        {
            void* reserved = ReserveWindows(size, alignment);
            if (reserved != null && !CommitWindows(reserved, size))
            {
                UnreserveWindows(reserved);
                return null;
            }

            return reserved;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return ReserveUnix(size, alignment);
        }

        throw new PlatformNotSupportedException();
    }

    public bool DiscardMetadata(void* address, nuint size)
    {
        if (OperatingSystem.IsWindows())
        {
            return ResetWindows(address, size);
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return DiscardUnix(address, size);
        }

        throw new PlatformNotSupportedException();
    }

    public bool AdviseHugePages(void* address, nuint size, bool huge) =>
        HugePageSize != 0 && OperatingSystem.IsLinux() && AdviseHugePagesLinux(address, size, huge);

    public void Unreserve(void* address, nuint size)
    {
        if (OperatingSystem.IsWindows())
        {
            UnreserveWindows(address);
        }
        else if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            UnreserveUnix(address, size);
        }
    }
}
