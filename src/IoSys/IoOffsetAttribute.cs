namespace IoSys;

/// <summary>
/// Marks a parameter as an offset in bytes from the start of a map (never an address). The IoSys analyzer checks
/// every argument passed to a parameter so marked: a constant offset out of range or misaligned for the access width
/// is a compile-time diagnostic (IOSYS001/IOSYS002), and an address passed as an offset is refused.
/// </summary>
/// <param name="width">
/// The width in bytes of the access made at this offset (1, 2, 4 or 8), or 0 when the width comes from the method's
/// type argument or another parameter (see <see cref="WidthParameter"/>).
/// </param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class IoOffsetAttribute(int width = 0) : Attribute
{
    /// <summary>The width in bytes of the access at this offset, or 0 when it is not fixed by the method.</summary>
    public int Width { get; } = width;

    /// <summary>The name of the parameter that carries the width in bytes (for <c>Read(offset, width)</c>), if any.</summary>
    public string? WidthParameter { get; init; }

    /// <summary>The name of the parameter that carries the length in bytes of a range starting at this offset, if any.</summary>
    public string? LengthParameter { get; init; }
}
