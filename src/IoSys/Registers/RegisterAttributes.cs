namespace IoSys.Registers;

/// <summary>How software may access a register, after the kernel's <c>register!</c> access kinds.</summary>
/// <remarks>The register source generator enforces the kind at compile time: a read-only register has no
/// <c>Write</c>, a write-only register no <c>Read</c>, and only read-write registers have <c>Update</c>.</remarks>
public enum RegisterAccess
{
    /// <summary>Read-only: the generated register type has <c>Read</c> only.</summary>
    RO,

    /// <summary>Write-only: the generated register type has <c>Write</c> only.</summary>
    WO,

    /// <summary>Read-write: <c>Read</c>, <c>Write</c> and <c>Update</c> (read-modify-write).</summary>
    RW,

    /// <summary>
    /// Write-one-to-clear: <c>Read</c> and <c>Write</c>, where each bit written as 1 clears that bit. No
    /// <c>Update</c>: a read-modify-write would clear every bit that was set.
    /// </summary>
    W1C,
}

/// <summary>
/// Declares a register block: a <c>partial struct</c> whose nested <see cref="RegisterAttribute"/> structs are the
/// registers. The generator makes the struct an <see cref="IIoKnownSize"/> of <paramref name="size"/> bytes, so
/// <c>map.AsKnownSize&lt;TBlock&gt;()</c> gives a window whose constant offsets the analyzer checks.
/// </summary>
/// <param name="size">The block's size in bytes.</param>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class RegisterBlockAttribute(long size) : Attribute
{
    /// <summary>The block's size in bytes.</summary>
    public long Size { get; } = size;

    /// <summary>
    /// When true, the generator declares an <see cref="IoWidthRuleAttribute"/> per register that accepts only that
    /// register's width, so any other width there is refused at run time and warned about at compile time.
    /// </summary>
    public bool StrictWidths { get; set; }
}

/// <summary>
/// Declares a register: a <c>partial struct</c> nested in a <see cref="RegisterBlockAttribute"/> block. The generator
/// wraps the raw value (<see cref="byte"/>, <see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/> per
/// <see cref="Width"/>), implements its <see cref="BitsAttribute"/> properties and adds <c>With*</c> setters and
/// <c>Read</c>/<c>Write</c>/<c>Update</c> as <see cref="Access"/> allows.
/// </summary>
/// <param name="offset">Offset of the register (of element 0, for an array) from the start of the block, in bytes.</param>
/// <param name="access">How software may access the register.</param>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class RegisterAttribute(long offset, RegisterAccess access) : Attribute
{
    /// <summary>Offset of the register from the start of the block, in bytes.</summary>
    public long Offset { get; } = offset;

    /// <summary>How software may access the register.</summary>
    public RegisterAccess Access { get; } = access;

    /// <summary>Width in bits: 8, 16, 32 (the default) or 64.</summary>
    public int Width { get; set; } = 32;

    /// <summary>The value after reset, exposed as the generated <c>ResetValue</c>.</summary>
    public ulong Reset { get; set; }

    /// <summary>Number of elements, for a register array (default 1: a single register).</summary>
    public int Count { get; set; } = 1;

    /// <summary>Bytes from one element of a register array to the next (default: the width in bytes).</summary>
    public long Stride { get; set; }
}

/// <summary>
/// Declares a bitfield of a register on a <c>partial</c> get-only property: bits <c>high:low</c> inclusive, or a single
/// bit. The property's type gives the field's type: <see cref="bool"/> (one bit), an integer type or an enum.
/// Bits that no field covers are reserved: the generated <c>With*</c> setters and <c>Update</c> preserve them.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class BitsAttribute : Attribute
{
    /// <summary>A one-bit field.</summary>
    /// <param name="bit">The bit number, 0 for the least significant bit.</param>
    public BitsAttribute(int bit)
        : this(bit, bit)
    {
    }

    /// <summary>The field <c>high:low</c>, both inclusive.</summary>
    /// <param name="high">The most significant bit of the field.</param>
    /// <param name="low">The least significant bit of the field.</param>
    public BitsAttribute(int high, int low)
    {
        High = high;
        Low = low;
    }

    /// <summary>The most significant bit of the field.</summary>
    public int High { get; }

    /// <summary>The least significant bit of the field.</summary>
    public int Low { get; }
}
