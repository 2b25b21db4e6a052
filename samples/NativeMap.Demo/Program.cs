namespace NativeMap.Demo;

/// <summary>
/// The README's main command: <c>dotnet run -c Release --project samples/NativeMap.Demo</c>. Shows the heap returning
/// freed memory to the OS, by decay and on request.
/// </summary>
public static class Program
{
    public static void Main()
    {
        HeapDemo.Run(Console.Out);
    }
}
