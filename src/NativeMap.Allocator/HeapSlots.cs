namespace NativeMap.Allocator;

/// <summary>
/// Hands out small integers to heaps, so each thread can keep its caches in an array indexed by heap. Slots of
/// disposed heaps are reused; a thread's stale entry is recognised because the cache names its heap.
/// </summary>
internal static class HeapSlots
{
    private static readonly Lock s_lock = new();
    private static readonly Stack<int> s_free = new();
    private static int s_next;

    public static int Rent()
    {
        lock (s_lock)
        {
            return s_free.Count > 0 ? s_free.Pop() : s_next++;
        }
    }

    public static void Return(int slot)
    {
        lock (s_lock)
        {
            s_free.Push(slot);
        }
    }
}
