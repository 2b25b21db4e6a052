namespace NativeMap.SideBySide;

/// <summary>Entry point: see <see cref="SideBySideProgram"/>.</summary>
public static class Program
{
    public static int Main(string[] args) => SideBySideProgram.Run(args, Console.Out);
}
