namespace NativeMap.Demo;

public static class Program
{
    public static void Main() => Console.WriteLine("NativeMap demo: under construction.");
}
