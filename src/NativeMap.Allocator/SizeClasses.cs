namespace NativeMap.Allocator;

internal static class SizeClasses
{
    public const int MaxSmallSize = 32 << 10;
}
