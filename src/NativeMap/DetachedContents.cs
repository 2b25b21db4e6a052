namespace NativeMap;

/// <summary>The contents <see cref="ConcurrentNativeBytesMap.DetachAll"/> took out of a store; disposing frees them.</summary>
internal sealed class DetachedContents : IDisposable
{
    private NativeBytesMap[]? _maps;

    public DetachedContents(NativeBytesMap[] maps) => _maps = maps;

    /// <summary>Returns the detached entries' memory to the heap. Idempotent; safe on any thread.</summary>
    public void Dispose()
    {
        NativeBytesMap[]? maps = Interlocked.Exchange(ref _maps, null);
        if (maps is null)
        {
            return;
        }

        foreach (NativeBytesMap map in maps)
        {
            map.Dispose();
        }
    }
}
