namespace NativeMap.Allocator.Tests.Infrastructure;

/// <summary>
/// The real OS layer with switches to make each call fail, and counters of calls and bytes, for failure-injection
/// tests (jemalloc's extent hooks serve the same purpose).
/// </summary>
internal sealed unsafe class TestOs : IOsMemory
{
    private readonly OsMemory _real;
    private readonly bool _needsCommit;

    public TestOs(bool needsCommit = false, bool protectReleased = false)
    {
        _real = new OsMemory(protectReleased);
        _needsCommit = needsCommit;
    }

    public volatile bool FailReserve;
    public volatile bool FailRelease;
    public volatile bool FailCommit;

    public long Reserves;
    public long Releases;
    public long ReleasedBytes;
    public long Commits;

    public long HugeAdvices;
    public long HugeAdvisedBytes;
    public long NoHugeAdvices;

    /// <summary>Huge page size to report; the real one unless a test sets it (advice still goes to the real OS).</summary>
    public int? HugePageSizeOverride;

    public int PageSize => _real.PageSize;

    public int HugePageSize => HugePageSizeOverride ?? _real.HugePageSize;

    public bool AdviseHugePages(void* address, nuint size, bool huge)
    {
        if (huge)
        {
            Interlocked.Increment(ref HugeAdvices);
            Interlocked.Add(ref HugeAdvisedBytes, (long)size);
        }
        else
        {
            Interlocked.Increment(ref NoHugeAdvices);
        }

        return _real.AdviseHugePages(address, size, huge);
    }

    public bool ReleasedPagesReadZero => _real.ReleasedPagesReadZero;

    public bool ReuseNeedsCommit => _needsCommit || _real.ReuseNeedsCommit;

    public void* Reserve(nuint size, nuint alignment)
    {
        Interlocked.Increment(ref Reserves);
        return FailReserve ? null : _real.Reserve(size, alignment);
    }

    public bool Release(void* address, nuint size)
    {
        Interlocked.Increment(ref Releases);
        if (FailRelease)
        {
            return false;
        }

        Interlocked.Add(ref ReleasedBytes, (long)size);
        return _real.Release(address, size);
    }

    public bool Commit(void* address, nuint size)
    {
        Interlocked.Increment(ref Commits);
        return !FailCommit && _real.Commit(address, size);
    }

    public void Unreserve(void* address, nuint size) => _real.Unreserve(address, size);

    public long MetadataDiscards;

    public volatile bool FailMetadataReserve;

    public long MetadataReserves;

    public void* ReserveMetadata(nuint size, nuint alignment)
    {
        Interlocked.Increment(ref MetadataReserves);
        return FailReserve || FailMetadataReserve ? null : _real.ReserveMetadata(size, alignment);
    }

    public bool DiscardMetadata(void* address, nuint size)
    {
        Interlocked.Increment(ref MetadataDiscards);
        return !FailRelease && _real.DiscardMetadata(address, size);
    }
}
