namespace IoSys;

/// <summary>
/// Declares the access widths a device accepts in one range of a map, e.g. QEMU's <c>edu</c> device,
/// which accepts only 4-byte accesses in <c>[0x00, 0x80)</c>. An access is allowed only if every rule it
/// overlaps allows its width; outside every rule, <see cref="IoMapOptions.Widths"/> applies.
/// </summary>
/// <param name="Offset">Start of the range, in bytes from the start of the map.</param>
/// <param name="Length">Length of the range in bytes.</param>
/// <param name="Widths">The widths accepted in the range.</param>
public readonly record struct IoWidthRule(long Offset, long Length, AccessWidths Widths);

/// <summary>
/// Declares, on an <see cref="IIoKnownSize"/> type or a register block, the widths a range accepts, so that
/// <see cref="IoSysMap.AsKnownSize{TSize}(long)"/> applies the rule at run time and the IoSys analyzer
/// checks constant accesses against it at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IoWidthRuleAttribute : Attribute
{
    /// <summary>Declares that the range <c>[offset, offset + length)</c> accepts only <paramref name="widths"/>.</summary>
    /// <param name="offset">Start of the range, in bytes from the start of the map.</param>
    /// <param name="length">Length of the range in bytes.</param>
    /// <param name="widths">The widths accepted in the range.</param>
    public IoWidthRuleAttribute(long offset, long length, AccessWidths widths)
    {
        Offset = offset;
        Length = length;
        Widths = widths;
    }

    /// <summary>Start of the range, in bytes from the start of the map.</summary>
    public long Offset { get; }

    /// <summary>Length of the range in bytes.</summary>
    public long Length { get; }

    /// <summary>The widths accepted in the range.</summary>
    public AccessWidths Widths { get; }

    /// <summary>The rule this attribute declares.</summary>
    public IoWidthRule Rule => new(Offset, Length, Widths);
}
