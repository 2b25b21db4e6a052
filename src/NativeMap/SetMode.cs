namespace NativeMap;

/// <summary>Which writes a set performs (Redis's SET, SET NX, SET XX).</summary>
internal enum SetMode
{
    /// <summary>Add the key or overwrite its value.</summary>
    Upsert,

    /// <summary>Add the key only when it is absent.</summary>
    AddOnly,

    /// <summary>Overwrite the value only when the key is present.</summary>
    ReplaceOnly,
}
