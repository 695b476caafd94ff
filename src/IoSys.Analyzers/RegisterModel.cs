using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace IoSys.Analyzers;

/// <summary>How a bitfield's property type is read and written.</summary>
internal enum FieldKind
{
    Invalid,
    Bool,
    Integer,
    Enum,
}

/// <summary>One <c>[Bits]</c> property.</summary>
internal sealed record FieldModel(string Name, string Type, FieldKind Kind, int TypeBits, bool Signed, int High, int Low, string Accessibility, bool Valid)
{
    /// <summary>For a field generated from a description: its XML doc text (the property is then not partial).</summary>
    public string? Doc { get; init; }
}

/// <summary>One <c>[Register]</c> struct.</summary>
internal sealed record RegisterModel(
    string Name,
    bool IsReadOnly,
    long Offset,
    int Access,
    int Width,
    ulong Reset,
    int Count,
    long Stride,
    EquatableArray<FieldModel> Fields)
{
    /// <summary>For a register generated from a description: its XML doc text.</summary>
    public string? Doc { get; init; }

    /// <summary>For a register generated from a description: the enums of its fields, nested in the register.</summary>
    public EquatableArray<EnumModel> Enums { get; init; }

    public int Bytes => Width / 8;

    public bool IsArray => Count > 1;

    public bool CanRead => Access != AccessWO;

    public bool CanWrite => Access != AccessRO;

    public bool CanUpdate => Access == AccessRW;

    // RegisterAccess values (IoSys.Registers.RegisterAccess).
    internal const int AccessRO = 0;
    internal const int AccessWO = 1;
    internal const int AccessRW = 2;
    internal const int AccessW1C = 3;
}

/// <summary>A containing type the generated code must reopen.</summary>
internal sealed record ContainerModel(string Keyword, string Name);

/// <summary>One <c>[RegisterBlock]</c> struct and its registers.</summary>
internal sealed record BlockModel(
    string? Namespace,
    EquatableArray<ContainerModel> Containers,
    string Name,
    string FullName,
    bool IsReadOnly,
    long Size,
    bool StrictWidths,
    EquatableArray<RegisterModel> Registers)
{
    /// <summary>For a block generated from a description (SVD): what the emitter adds. Null for a declared block.</summary>
    public SvdBlockInfo? Svd { get; init; }
}

/// <summary>A problem with a declaration, reported by <see cref="RegisterDeclarationAnalyzer"/>.</summary>
internal readonly record struct DeclarationProblem(DiagnosticDescriptor Descriptor, Location? Location, object?[] Args);

/// <summary>Reads register blocks from symbols; shared by the generator and the declaration analyzer.</summary>
internal static class RegisterModelBuilder
{
    public const string BlockAttribute = "IoSys.Registers.RegisterBlockAttribute";
    public const string RegisterAttribute = "IoSys.Registers.RegisterAttribute";
    public const string BitsAttribute = "IoSys.Registers.BitsAttribute";

    public static AttributeData? FindAttribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == fullName);

    /// <summary>Reads the register attribute of <paramref name="type"/>, or null.</summary>
    public static RegisterModel? ReadRegister(INamedTypeSymbol type, List<DeclarationProblem>? problems)
    {
        AttributeData? attribute = FindAttribute(type, RegisterAttribute);
        if (attribute is null || attribute.ConstructorArguments.Length != 2)
        {
            return null;
        }

        long offset = ToLong(attribute.ConstructorArguments[0].Value);
        int access = (int)ToLong(attribute.ConstructorArguments[1].Value);
        int width = 32, count = 1;
        ulong reset = 0;
        long stride = 0;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            object? value = named.Value.Value;
            switch (named.Key)
            {
                case "Width": width = (int)ToLong(value); break;
                case "Reset": reset = unchecked((ulong)ToLong(value)); break;
                case "Count": count = (int)ToLong(value); break;
                case "Stride": stride = ToLong(value); break;
            }
        }

        Location? location = Where(attribute, type);
        if (width is not (8 or 16 or 32 or 64))
        {
            problems?.Add(new(Descriptors.InvalidRegister, location, [type.Name, $"Width is {width}; a register is 8, 16, 32 or 64 bits wide"]));
            width = 32;
        }

        int bytes = width / 8;
        if (stride == 0)
        {
            stride = bytes;
        }

        if (count < 1)
        {
            problems?.Add(new(Descriptors.InvalidRegister, location, [type.Name, $"Count is {count}; a register array has at least one element"]));
            count = 1;
        }
        else if (count > 1 && stride < bytes)
        {
            problems?.Add(new(Descriptors.InvalidRegister, location, [type.Name, $"Stride {stride} is less than the width ({bytes} bytes): elements would overlap"]));
        }

        if (width < 64 && (reset >> width) != 0)
        {
            problems?.Add(new(Descriptors.InvalidRegister, location, [type.Name, $"Reset 0x{reset:X} does not fit in {width} bits"]));
        }

        if (!IsPartial(type))
        {
            problems?.Add(new(Descriptors.InvalidRegister, FirstLocation(type), [type.Name, "a register must be a partial struct"]));
        }

        if (offset % bytes != 0)
        {
            problems?.Add(new(Descriptors.RegisterMisaligned, location, [type.Name, "offset", Hex(offset), bytes]));
        }
        else if (count > 1 && stride >= bytes && stride % bytes != 0)
        {
            problems?.Add(new(Descriptors.RegisterMisaligned, location, [type.Name, "stride", Hex(stride), bytes]));
        }

        var fields = ImmutableArray.CreateBuilder<FieldModel>();
        ulong used = 0;
        foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.IsPartialImplementation())
            {
                continue;
            }

            AttributeData? bits = FindAttribute(property, BitsAttribute);
            if (bits is null)
            {
                continue;
            }

            FieldModel field = ReadField(property, bits, width, count > 1, problems);
            if (field.Valid)
            {
                ulong mask = Mask(field.High, field.Low);
                if ((used & mask) != 0)
                {
                    problems?.Add(new(Descriptors.InvalidField, Where(bits, property), [property.Name, $"bits {field.High}:{field.Low} overlap another field"]));
                }

                used |= mask;
            }

            fields.Add(field);
        }

        return new RegisterModel(type.Name, type.IsReadOnly, offset, access, width, reset, count, stride, new(fields.ToImmutable()));
    }

    /// <summary>Names of the members the generator adds to every register: a field cannot have them.</summary>
    private static readonly HashSet<string> GeneratedNames = new(StringComparer.Ordinal)
    {
        "Offset", "Width", "Access", "ReservedMask", "Raw", "ResetValue", "Read", "Write", "Update",
        "Equals", "GetHashCode", "ToString",
    };

    /// <summary>The names the generator adds to register arrays only.</summary>
    private static readonly HashSet<string> GeneratedArrayNames = new(StringComparer.Ordinal) { "Count", "Stride", "OffsetOf" };

    private static FieldModel ReadField(IPropertySymbol property, AttributeData bits, int registerWidth, bool isArray, List<DeclarationProblem>? problems)
    {
        Location? location = Where(bits, property);
        int high, low;
        if (bits.ConstructorArguments.Length == 1)
        {
            high = low = (int)ToLong(bits.ConstructorArguments[0].Value);
        }
        else
        {
            high = (int)ToLong(bits.ConstructorArguments[0].Value);
            low = (int)ToLong(bits.ConstructorArguments[1].Value);
        }

        bool valid = true;
        void Problem(DiagnosticDescriptor descriptor, string what, Location? where)
        {
            problems?.Add(new(descriptor, where ?? location, [property.Name, what]));
            valid = false;
        }

        if (low < 0 || high < low || high >= registerWidth)
        {
            Problem(Descriptors.InvalidField, $"bits {high}:{low} are not within the {registerWidth}-bit register (need {registerWidth - 1} >= high >= low >= 0)", null);
        }

        if (!property.IsPartialDefinition() || property.IsStatic || property.GetMethod is null || property.SetMethod is not null)
        {
            Problem(Descriptors.InvalidRegister, "a field must be a partial, non-static, get-only property: 'public partial T Name { get; }'", FirstLocation(property));
        }

        if (GeneratedNames.Contains(property.Name) || (isArray && GeneratedArrayNames.Contains(property.Name)))
        {
            Problem(Descriptors.InvalidField, $"the name '{property.Name}' is used by the generated register code; rename the field", FirstLocation(property));
        }

        (FieldKind kind, int typeBits) = Classify(property.Type);
        int fieldBits = high - low + 1;
        if (kind == FieldKind.Invalid)
        {
            Problem(Descriptors.InvalidField, $"type '{property.Type.ToDisplayString()}' is not bool, an integer type or an enum", null);
        }
        else if (kind == FieldKind.Bool && high != low)
        {
            Problem(Descriptors.InvalidField, $"a bool field is one bit, but {high}:{low} is {fieldBits} bits", null);
        }
        else if (valid && kind != FieldKind.Bool && fieldBits > typeBits)
        {
            Problem(Descriptors.InvalidField, $"bits {high}:{low} ({fieldBits} bits) do not fit in '{property.Type.ToDisplayString()}' ({typeBits} bits)", null);
        }

        return new FieldModel(
            property.Name,
            property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            kind,
            typeBits,
            kind == FieldKind.Integer && property.Type.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64,
            high,
            low,
            Accessibility(property.DeclaredAccessibility),
            valid);
    }

    /// <summary>Reads a block and its registers; problems (if asked for) collects what is wrong.</summary>
    public static BlockModel? ReadBlock(INamedTypeSymbol block, List<DeclarationProblem>? problems)
    {
        AttributeData? attribute = FindAttribute(block, BlockAttribute);
        if (attribute is null || attribute.ConstructorArguments.Length != 1)
        {
            return null;
        }

        long size = ToLong(attribute.ConstructorArguments[0].Value);
        bool strict = attribute.NamedArguments.Any(n => n.Key == "StrictWidths" && n.Value.Value is true);
        if (size <= 0)
        {
            problems?.Add(new(Descriptors.InvalidRegister, Where(attribute, block), [block.Name, $"block size {size} must be positive"]));
        }

        if (!IsPartial(block))
        {
            problems?.Add(new(Descriptors.InvalidRegister, FirstLocation(block), [block.Name, "a register block must be a partial struct"]));
        }

        var containers = ImmutableArray.CreateBuilder<ContainerModel>();
        for (INamedTypeSymbol? outer = block.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer))
            {
                problems?.Add(new(Descriptors.InvalidRegister, FirstLocation(block), [block.Name, $"containing type '{outer.Name}' must be partial"]));
            }

            containers.Insert(0, new ContainerModel(Keyword(outer), NameWithTypeParameters(outer)));
        }

        var registers = ImmutableArray.CreateBuilder<RegisterModel>();
        foreach (INamedTypeSymbol nested in block.GetTypeMembers().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            RegisterModel? register = ReadRegister(nested, problems);
            if (register is null)
            {
                continue;
            }

            long end = register.Offset + ((register.Count - 1) * register.Stride) + register.Bytes;
            if (size > 0 && (register.Offset < 0 || end > size))
            {
                problems?.Add(new(Descriptors.RegisterOutOfBlock, Where(FindAttribute(nested, RegisterAttribute)!, nested), [nested.Name, Hex(register.Offset), Hex(end), block.Name, Hex(size)]));
            }

            registers.Add(register);
        }

        // In offset order, so the generated file reads like the device's register map.
        registers.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : string.CompareOrdinal(a.Name, b.Name));
        string? ns = block.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new BlockModel(ns, new(containers.ToImmutable()), block.Name, block.ToDisplayString(), block.IsReadOnly, size, strict, new(registers.ToImmutable()));
    }

    /// <summary>An attribute argument as a long (any integer constant, sign-extended; a ulong reinterpreted).</summary>
    public static long ToLong(object? value) => value switch
    {
        long l => l,
        int i => i,
        ulong u => unchecked((long)u),
        uint u => u,
        short s => s,
        ushort u => u,
        byte b => b,
        sbyte b => b,
        _ => 0,
    };

    public static (FieldKind Kind, int Bits) Classify(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol { EnumUnderlyingType: { } underlying })
        {
            return (FieldKind.Enum, IntegerBits(underlying.SpecialType));
        }

        if (type.SpecialType == SpecialType.System_Boolean)
        {
            return (FieldKind.Bool, 1);
        }

        int bits = IntegerBits(type.SpecialType);
        return bits == 0 ? (FieldKind.Invalid, 0) : (FieldKind.Integer, bits);
    }

    private static int IntegerBits(SpecialType type) => type switch
    {
        SpecialType.System_Byte or SpecialType.System_SByte => 8,
        SpecialType.System_Int16 or SpecialType.System_UInt16 => 16,
        SpecialType.System_Int32 or SpecialType.System_UInt32 => 32,
        SpecialType.System_Int64 or SpecialType.System_UInt64 => 64,
        _ => 0,
    };

    public static ulong Mask(int high, int low)
    {
        int bits = high - low + 1;
        ulong lowMask = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
        return lowMask << low;
    }

    public static string Hex(long value) => value < 0 ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0x" + value.ToString("X", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsPartialImplementation(this IPropertySymbol property) => property.PartialDefinitionPart is not null;

    private static bool IsPartialDefinition(this IPropertySymbol property) => property.IsPartialDefinition;

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0
        && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.ValueText == "partial"));

    private static Location? Where(AttributeData attribute, ISymbol owner) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? FirstLocation(owner);

    private static Location? FirstLocation(ISymbol symbol) => symbol.Locations.FirstOrDefault();

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "partial record struct",
        { IsRecord: true } => "partial record",
        { TypeKind: TypeKind.Struct } => "partial struct",
        { TypeKind: TypeKind.Interface } => "partial interface",
        _ => "partial class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    internal static string Accessibility(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "public",
    };
}
