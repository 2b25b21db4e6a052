namespace NativeMap.Tests.Infrastructure;

/// <summary>The real OS memory layer, except that arena reservations fail while <see cref="FailReserve"/> is set: the
/// heap then throws <see cref="OutOfMemoryException"/> whenever it needs a new arena (metadata still comes).</summary>
internal sealed unsafe class FailingOsMemory : IOsMemory
{
    private readonly OsMemory _real = new(protectReleased: false);

    public volatile bool FailReserve;

    public int PageSize => _real.PageSize;

    public bool ReleasedPagesReadZero => _real.ReleasedPagesReadZero;

    public bool ReuseNeedsCommit => _real.ReuseNeedsCommit;

    public void* Reserve(nuint size, nuint alignment) => FailReserve ? null : _real.Reserve(size, alignment);

    public bool Release(void* address, nuint size) => _real.Release(address, size);

    public bool Commit(void* address, nuint size) => _real.Commit(address, size);

    public void Unreserve(void* address, nuint size) => _real.Unreserve(address, size);

    public void* ReserveMetadata(nuint size, nuint alignment) => _real.ReserveMetadata(size, alignment);

    public bool DiscardMetadata(void* address, nuint size) => _real.DiscardMetadata(address, size);

    public int HugePageSize => _real.HugePageSize;

    public bool AdviseHugePages(void* address, nuint size, bool huge) => _real.AdviseHugePages(address, size, huge);
}
