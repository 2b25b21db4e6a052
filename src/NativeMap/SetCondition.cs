namespace NativeMap;

/// <summary>When a set writes (Redis's SET, SET NX, SET XX).</summary>
public enum SetCondition
{
    /// <summary>Always: add the key or overwrite it.</summary>
    Always,

    /// <summary>Only when the key is absent (NX).</summary>
    IfAbsent,

    /// <summary>Only when the key is present (XX).</summary>
    IfPresent,
}
