namespace NativeMap.Demo;

/// <summary>
/// The README's main command: <c>dotnet run -c Release --project samples/NativeMap.Demo</c>. First the heap returning
/// freed memory to the OS, by decay and on request; then a 10 M-entry NativeMap and Dictionary filled and emptied side
/// by side. Ends by itself in well under a minute.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is [MapDemo.ChildArgument, var variant])
        {
            MapDemo.RunChild(variant, Console.Out);
            return;
        }

        HeapDemo.Run(Console.Out);
        MapDemo.Run(Console.Out);
    }
}
