using System.Diagnostics.CodeAnalysis;

namespace NativeMap.Allocator;

/// <summary>Validation helper: a broken invariant throws with its name, so a failing test says which one.</summary>
internal static class Invariant
{
    public static void Check([DoesNotReturnIf(false)] bool condition, string name, string detail = "")
    {
        if (!condition)
        {
            Fail(name, detail);
        }
    }

    [DoesNotReturn]
    public static void Fail(string name, string detail) =>
        throw new InvalidOperationException($"SpanHeap invariant '{name}' violated{(detail.Length > 0 ? ": " + detail : ".")}");
}
