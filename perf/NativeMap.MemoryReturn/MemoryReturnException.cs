namespace NativeMap.MemoryReturn;

/// <summary>A run that failed for a reason worth one clear line: a child failed or hung, or broke the protocol.</summary>
public sealed class MemoryReturnException : Exception
{
    public MemoryReturnException()
    {
    }

    public MemoryReturnException(string message)
        : base(message)
    {
    }

    public MemoryReturnException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
