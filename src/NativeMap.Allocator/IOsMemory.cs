namespace NativeMap.Allocator;

internal interface IOsMemory
{
}
