using System;
using System.Collections.Generic;

namespace IoSys.Registers.Descriptions;

/// <summary>
/// A device: the root of a register description (CMSIS-SVD <c>device</c>), independent of the file format it was read
/// from. Build one with an object initializer or read one with <see cref="Svd.SvdReader"/>.
/// </summary>
public sealed class DeviceDescription
{
    /// <summary>The device's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Free text, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The description's version text, or empty.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>Bus width in bits (SVD <c>width</c>); 0 when not stated.</summary>
    public int Width { get; init; }

    /// <summary>The peripherals, in file order, with arrays of peripherals expanded.</summary>
    public IReadOnlyList<PeripheralDescription> Peripherals { get; init; } = Array.Empty<PeripheralDescription>();

    /// <summary>Finds a peripheral by name: an exact (ordinal) match, else the only case-insensitive one.</summary>
    /// <param name="name">The peripheral's name, e.g. <c>UART0</c>.</param>
    /// <returns>The peripheral, or null when there is none or the name is ambiguous.</returns>
    public PeripheralDescription? FindPeripheral(string name) => NameLookup.Find(Peripherals, name, static p => p.Name);
}

/// <summary>A block of addresses a peripheral decodes (SVD <c>addressBlock</c>).</summary>
/// <param name="offset">Start, in bytes from the peripheral's base address.</param>
/// <param name="size">Length in bytes.</param>
/// <param name="usage">What the block holds: <c>registers</c>, <c>buffer</c> or <c>reserved</c>.</param>
public sealed class AddressBlock(ulong offset, ulong size, string usage)
{
    /// <summary>Start, in bytes from the peripheral's base address.</summary>
    public ulong Offset { get; } = offset;

    /// <summary>Length in bytes.</summary>
    public ulong Size { get; } = size;

    /// <summary>What the block holds: <c>registers</c>, <c>buffer</c> or <c>reserved</c>.</summary>
    public string Usage { get; } = usage ?? string.Empty;
}

/// <summary>An interrupt a peripheral raises (SVD <c>interrupt</c>).</summary>
/// <param name="name">The interrupt's name.</param>
/// <param name="value">Its number.</param>
public sealed class InterruptDescription(string name, long value)
{
    /// <summary>The interrupt's name.</summary>
    public string Name { get; } = name ?? string.Empty;

    /// <summary>Its number.</summary>
    public long Value { get; } = value;
}

/// <summary>A peripheral: a block of registers at a base address (SVD <c>peripheral</c>).</summary>
public sealed class PeripheralDescription
{
    private RegisterIndex? _index;

    /// <summary>The peripheral's name, e.g. <c>UART0</c>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Free text, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The group the peripheral belongs to (SVD <c>groupName</c>), or empty.</summary>
    public string GroupName { get; init; } = string.Empty;

    /// <summary>The peripheral it was derived from (SVD <c>derivedFrom</c>), or null; its content is already merged in.</summary>
    public string? DerivedFrom { get; init; }

    /// <summary>A peripheral at the same address this one is an alternative view of (SVD <c>alternatePeripheral</c>), or null.</summary>
    public string? AlternatePeripheral { get; init; }

    /// <summary>Physical base address, in bytes.</summary>
    public ulong BaseAddress { get; init; }

    /// <summary>The address blocks the peripheral decodes.</summary>
    public IReadOnlyList<AddressBlock> AddressBlocks { get; init; } = Array.Empty<AddressBlock>();

    /// <summary>The interrupts it raises.</summary>
    public IReadOnlyList<InterruptDescription> Interrupts { get; init; } = Array.Empty<InterruptDescription>();

    /// <summary>Its registers and clusters, in file order, with <c>%s</c> lists expanded and <c>[%s]</c> arrays kept.</summary>
    public IReadOnlyList<RegisterNode> Children { get; init; } = Array.Empty<RegisterNode>();

    /// <summary>Where it was declared.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>
    /// The size in bytes the peripheral spans: the end of its last address block, or of its last register when it
    /// states none.
    /// </summary>
    public ulong Span
    {
        get
        {
            ulong end = 0;
            foreach (AddressBlock block in AddressBlocks)
            {
                end = Math.Max(end, block.Offset + block.Size);
            }

            if (end == 0)
            {
                foreach (RegisterInstance r in Registers)
                {
                    end = Math.Max(end, r.Offset + (ulong)r.Register.Bytes);
                }
            }

            return end;
        }
    }

    /// <summary>
    /// Every register instance, arrays and clusters expanded, in file order, with its path (<c>CR</c>, <c>CH[3]</c>,
    /// <c>CLUSTER[1].REG</c>) and its offset in bytes from <see cref="BaseAddress"/>. Computed once, on first use.
    /// </summary>
    public IReadOnlyList<RegisterInstance> Registers => Index.Instances;

    private RegisterIndex Index => _index ??= new RegisterIndex(this);

    /// <summary>
    /// Finds a register instance by path: <c>CR</c>, an array element <c>CH[3]</c>, a cluster path
    /// <c>CLUSTER.REG</c> or <c>CLUSTER[2].REG</c>. An exact (ordinal) match wins, else the only case-insensitive one.
    /// </summary>
    /// <param name="path">The register's path.</param>
    /// <returns>The register, or null when there is none or the path is ambiguous.</returns>
    public RegisterInstance? FindRegister(string path) => Index.Find(path);
}

/// <summary>The dimension of an array of registers, clusters, fields or peripherals (SVD <c>dim</c>, <c>dimIncrement</c>, <c>dimIndex</c>).</summary>
/// <param name="count">Number of elements.</param>
/// <param name="increment">Distance from one element to the next: bytes for registers, clusters and peripherals; bits for fields.</param>
/// <param name="indices">The text each element puts in place of <c>%s</c>: <c>0</c>..<c>count-1</c> unless stated.</param>
public sealed class DimDescription(int count, ulong increment, IReadOnlyList<string> indices)
{
    /// <summary>Number of elements.</summary>
    public int Count { get; } = count;

    /// <summary>Distance from one element to the next: bytes for registers and clusters, bits for fields.</summary>
    public ulong Increment { get; } = increment;

    /// <summary>The text each element puts in place of <c>%s</c>.</summary>
    public IReadOnlyList<string> Indices { get; } = indices ?? Array.Empty<string>();
}

/// <summary>A register or a cluster of registers: what a peripheral or a cluster contains.</summary>
public abstract class RegisterNode
{
    private protected RegisterNode()
    {
    }

    /// <summary>
    /// The name: for an array kept as an array (SVD <c>NAME[%s]</c>), the name without <c>[%s]</c>; elements are
    /// <c>NAME[index]</c>.
    /// </summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Free text, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Offset in bytes from the start of the enclosing cluster or peripheral (of element 0, for an array).</summary>
    public ulong AddressOffset { get; init; }

    /// <summary>For an array, its dimension (<see cref="DimDescription.Increment"/> in bytes); null for a single node.</summary>
    public DimDescription? Dim { get; init; }

    /// <summary>Where it was declared.</summary>
    public SourceLocation Location { get; init; }
}

/// <summary>A cluster: a named group of registers (and clusters) at an offset (SVD <c>cluster</c>).</summary>
public sealed class ClusterDescription : RegisterNode
{
    /// <summary>A cluster at the same offset this one is an alternative view of (SVD <c>alternateCluster</c>), or null.</summary>
    public string? AlternateCluster { get; init; }

    /// <summary>Its registers and clusters, with offsets from the cluster's start.</summary>
    public IReadOnlyList<RegisterNode> Children { get; init; } = Array.Empty<RegisterNode>();
}

/// <summary>A register (SVD <c>register</c>), with the properties it inherits already applied.</summary>
public sealed class RegisterDescription : RegisterNode
{
    /// <summary>A display name, or empty.</summary>
    public string DisplayName { get; init; } = string.Empty;

    /// <summary>Width in bits, 1 to 64 (usually 8, 16, 32 or 64).</summary>
    public int Size { get; init; } = 32;

    /// <summary>Width in bytes: <see cref="Size"/> rounded up to whole bytes.</summary>
    public int Bytes => (Size + 7) / 8;

    /// <summary>The bits of the register: <see cref="Size"/> ones.</summary>
    public ulong SizeMask => Size >= 64 ? ulong.MaxValue : (1UL << Size) - 1;

    /// <summary>How software may access it.</summary>
    public AccessType Access { get; init; }

    /// <summary>Its value after reset (the bits in <see cref="ResetMask"/>).</summary>
    public ulong ResetValue { get; init; }

    /// <summary>The bits whose reset value is defined.</summary>
    public ulong ResetMask { get; init; } = ulong.MaxValue;

    /// <summary>The security or privilege an access needs.</summary>
    public Protection Protection { get; init; }

    /// <summary>A read's side effect: tools must not read such a register unasked.</summary>
    public ReadAction ReadAction { get; init; }

    /// <summary>How a write changes it.</summary>
    public ModifiedWriteValues ModifiedWriteValues { get; init; }

    /// <summary>The register at the same offset this one is an alternative view of (SVD <c>alternateRegister</c>), or null.</summary>
    public string? AlternateRegister { get; init; }

    /// <summary>
    /// The group of alternative registers it belongs to (SVD <c>alternateGroup</c>), or null; its path is then
    /// <c>NAME_GROUP</c>, so that it differs from the register it shares an offset (and maybe a name) with.
    /// </summary>
    public string? AlternateGroup { get; init; }

    /// <summary>The C type a header would use (SVD <c>dataType</c>), or null.</summary>
    public string? DataType { get; init; }

    /// <summary>Its fields, in file order, with field arrays expanded; bits no field covers are reserved.</summary>
    public IReadOnlyList<FieldDescription> Fields { get; init; } = Array.Empty<FieldDescription>();

    /// <summary>Finds a field by name: an exact (ordinal) match, else the only case-insensitive one.</summary>
    /// <param name="name">The field's name.</param>
    /// <returns>The field, or null when there is none or the name is ambiguous.</returns>
    public FieldDescription? FindField(string name) => NameLookup.Find(Fields, name, static f => f.Name);
}

/// <summary>A field: bits <see cref="Msb"/>..<see cref="Lsb"/> of a register (SVD <c>field</c>).</summary>
public sealed class FieldDescription
{
    /// <summary>The field's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Free text, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The least significant bit, 0-based.</summary>
    public int Lsb { get; init; }

    /// <summary>The most significant bit, at least <see cref="Lsb"/>.</summary>
    public int Msb { get; init; }

    /// <summary>Number of bits.</summary>
    public int BitWidth => Msb - Lsb + 1;

    /// <summary>The field's bits within the register.</summary>
    public ulong Mask => (BitWidth >= 64 ? ulong.MaxValue : (1UL << BitWidth) - 1) << Lsb;

    /// <summary>The largest value the field holds.</summary>
    public ulong MaxValue => BitWidth >= 64 ? ulong.MaxValue : (1UL << BitWidth) - 1;

    /// <summary>How software may access it (the register's, unless stated).</summary>
    public AccessType Access { get; init; }

    /// <summary>A read's side effect.</summary>
    public ReadAction ReadAction { get; init; }

    /// <summary>How a write changes it (the register's, unless stated).</summary>
    public ModifiedWriteValues ModifiedWriteValues { get; init; }

    /// <summary>Named values (at most one set for reads and one for writes).</summary>
    public IReadOnlyList<EnumeratedValueSet> EnumeratedValueSets { get; init; } = Array.Empty<EnumeratedValueSet>();

    /// <summary>Where it was declared.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>The bit range as <c>[msb:lsb]</c>, or <c>[bit]</c> for one bit.</summary>
    /// <returns>The text.</returns>
    public string BitRangeText() => Msb == Lsb
        ? "[" + Lsb.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"
        : "[" + Msb.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Lsb.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}

/// <summary>A set of named values of a field (SVD <c>enumeratedValues</c>).</summary>
public sealed class EnumeratedValueSet
{
    /// <summary>The set's name, or empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Which accesses the values describe.</summary>
    public EnumeratedUsage Usage { get; init; }

    /// <summary>The values.</summary>
    public IReadOnlyList<EnumeratedValue> Values { get; init; } = Array.Empty<EnumeratedValue>();

    /// <summary>Whether the set describes values read.</summary>
    public bool DescribesReads => Usage != EnumeratedUsage.Write;

    /// <summary>Whether the set describes values written.</summary>
    public bool DescribesWrites => Usage != EnumeratedUsage.Read;

    /// <summary>The value that matches <paramref name="value"/>: the first exact or pattern match, else the default one.</summary>
    /// <param name="value">A field value (shifted down to bit 0).</param>
    /// <returns>The match, or null.</returns>
    public EnumeratedValue? Match(ulong value)
    {
        EnumeratedValue? fallback = null;
        foreach (EnumeratedValue v in Values)
        {
            if (v.IsDefault)
            {
                fallback ??= v;
            }
            else if (v.Matches(value))
            {
                return v;
            }
        }

        return fallback;
    }
}

/// <summary>One named value of a field (SVD <c>enumeratedValue</c>).</summary>
public sealed class EnumeratedValue
{
    /// <summary>The value's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Free text, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The value (its don't-care bits zero); meaningless when <see cref="IsDefault"/>.</summary>
    public ulong Value { get; init; }

    /// <summary>The bits that must equal <see cref="Value"/>'s: all ones unless the SVD binary form had <c>x</c> digits.</summary>
    public ulong CareMask { get; init; } = ulong.MaxValue;

    /// <summary>Whether it names every value no other entry of its set names (SVD <c>isDefault</c>).</summary>
    public bool IsDefault { get; init; }

    /// <summary>Whether <paramref name="value"/> is this value (never for a default entry).</summary>
    /// <param name="value">A field value (shifted down to bit 0).</param>
    /// <returns>True on a match.</returns>
    public bool Matches(ulong value) => !IsDefault && (value & CareMask) == (Value & CareMask);
}
