using Microsoft.CodeAnalysis;

namespace IoSys.Analyzers;

/// <summary>The IoSys diagnostics. Documented in docs/compile-time.md.</summary>
public static class Descriptors
{
    /// <summary>
    /// Where each rule is documented: a section of docs/compile-time.md whose anchor is the rule's ID in lower case.
    /// The one place that names the repository's address.
    /// </summary>
    public const string HelpLinkBase = "https://github.com/iosys/iosys/blob/main/docs/compile-time.md#";

    private const string Usage = "IoSys.Usage";
    private const string Registers = "IoSys.Registers";
    private const string Descriptions = "IoSys.Descriptions";

    /// <summary>IOSYS001: a constant offset outside a known-size map.</summary>
    public static readonly DiagnosticDescriptor OffsetOutOfRange = new(
        "IOSYS001",
        "Constant offset out of range",
        "Offset {0} with {1} byte(s) is out of range for {2}, which is {3} bytes",
        Usage,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The map's size is known at compile time (IIoKnownSize or a register block), so this access always fails with IoAccessException(OutOfRange).",
        helpLinkUri: HelpLink("IOSYS001"));

    /// <summary>IOSYS002: a constant offset not aligned to the access width on a known-size map.</summary>
    public static readonly DiagnosticDescriptor OffsetMisaligned = new(
        "IOSYS002",
        "Constant offset misaligned",
        "Offset {0} is not aligned to the {1}-byte access width",
        Usage,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A typed access must be aligned to its width; on a known-size map this access always fails with IoAccessException(Misaligned) unless the map allows unaligned system-memory accesses.",
        helpLinkUri: HelpLink("IOSYS002"));

    /// <summary>IOSYS003: an absolute address passed where an offset is expected (the seed's bug).</summary>
    public static readonly DiagnosticDescriptor AddressAsOffset = new(
        "IOSYS003",
        "Absolute address passed as an offset",
        "'{0}' is an absolute address but '{1}' expects an offset from the start of the map",
        Usage,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "IoSys accessors take offsets in bytes from the start of the map. Passing a pointer or base address adds the base twice. Use the offset, or 'address - map.Address'.",
        helpLinkUri: HelpLink("IOSYS003"));

    /// <summary>IOSYS004: a constant access of a width the region refuses.</summary>
    public static readonly DiagnosticDescriptor WidthRefused = new(
        "IOSYS004",
        "Access width refused by the region",
        "{0} declares that [{1}, {2}) accepts only {3} accesses, but this is a {4}-byte access",
        Usage,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The known-size type or register block declares width rules (IoWidthRule); this access fails at run time with IoAccessException(WidthRefused).",
        helpLinkUri: HelpLink("IOSYS004"));

    /// <summary>IOSYS005: a constant register-array index out of range.</summary>
    public static readonly DiagnosticDescriptor IndexOutOfRange = new(
        "IOSYS005",
        "Register index out of range",
        "Index {0} is out of range for register array '{1}', which has {2} element(s)",
        Registers,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("IOSYS005"));

    /// <summary>IOSYS006: a register that does not lie within its block.</summary>
    public static readonly DiagnosticDescriptor RegisterOutOfBlock = new(
        "IOSYS006",
        "Register outside its block",
        "Register '{0}' spans [{1}, {2}), outside block '{3}' of {4} bytes",
        Registers,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("IOSYS006"));

    /// <summary>IOSYS007: a register offset or stride not aligned to its width.</summary>
    public static readonly DiagnosticDescriptor RegisterMisaligned = new(
        "IOSYS007",
        "Register misaligned",
        "Register '{0}': {1} {2} is not aligned to its {3}-byte width",
        Registers,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("IOSYS007"));

    /// <summary>IOSYS008: an invalid bitfield.</summary>
    public static readonly DiagnosticDescriptor InvalidField = new(
        "IOSYS008",
        "Invalid register field",
        "Field '{0}': {1}",
        Registers,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("IOSYS008"));

    /// <summary>IOSYS009: an invalid register or block declaration.</summary>
    public static readonly DiagnosticDescriptor InvalidRegister = new(
        "IOSYS009",
        "Invalid register declaration",
        "'{0}': {1}",
        Registers,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("IOSYS009"));

    /// <summary>IOSYS010: a lease that the code never ends.</summary>
    public static readonly DiagnosticDescriptor LeaseNotDisposed = new(
        "IOSYS010",
        "Lease is never ended",
        "The lease from '{0}' is {1}: declare it with 'using' (or call Dispose) so the memory it holds can be retired",
        Usage,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lease (IoSysMap.Lease) holds the map's memory: after the owner is disposed, a device stays mapped until the last lease ends. A lease that is never disposed keeps it until the memory is finalized.",
        helpLinkUri: HelpLink("IOSYS010"));

    /// <summary>IOSYS101: Description file cannot be read.</summary>
    public static readonly DiagnosticDescriptor SvdUnreadable = Described("IOSYS101", "Description file cannot be read", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD001, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS102: Description file is not well-formed XML.</summary>
    public static readonly DiagnosticDescriptor SvdNotXml = Described("IOSYS102", "Description file is not well-formed XML", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD002, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS103: Description file is not a CMSIS-SVD device.</summary>
    public static readonly DiagnosticDescriptor SvdNotDevice = Described("IOSYS103", "Description file is not a CMSIS-SVD device", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD003, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS104: Required SVD element missing.</summary>
    public static readonly DiagnosticDescriptor SvdMissingElement = Described("IOSYS104", "Required SVD element missing", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD004, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS105: SVD number or bit range malformed.</summary>
    public static readonly DiagnosticDescriptor SvdBadNumber = Described("IOSYS105", "SVD number or bit range malformed", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD005, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS106: Unknown SVD keyword.</summary>
    public static readonly DiagnosticDescriptor SvdUnknownKeyword = Described("IOSYS106", "Unknown SVD keyword", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD006, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS107: SVD derivedFrom names nothing.</summary>
    public static readonly DiagnosticDescriptor SvdUnknownBase = Described("IOSYS107", "SVD derivedFrom names nothing", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD007, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS108: SVD derivedFrom circular or too deep.</summary>
    public static readonly DiagnosticDescriptor SvdCircularBase = Described("IOSYS108", "SVD derivedFrom circular or too deep", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD008, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS109: SVD dim array malformed.</summary>
    public static readonly DiagnosticDescriptor SvdBadDim = Described("IOSYS109", "SVD dim array malformed", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD009, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS110: SVD field bits outside the register.</summary>
    public static readonly DiagnosticDescriptor SvdFieldBits = Described("IOSYS110", "SVD field bits outside the register", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD010, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS111: Unsupported SVD content.</summary>
    public static readonly DiagnosticDescriptor SvdUnsupported = Described("IOSYS111", "Unsupported SVD content", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD011, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS112: SVD file exceeds the reader's limits.</summary>
    public static readonly DiagnosticDescriptor SvdLimits = Described("IOSYS112", "SVD file exceeds the reader's limits", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD012, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS113: SVD fields overlap.</summary>
    public static readonly DiagnosticDescriptor SvdFieldsOverlap = Described("IOSYS113", "SVD fields overlap", DiagnosticSeverity.Warning, "The CMSIS-SVD reader's SVD013, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS114: SVD value wider than its register or field.</summary>
    public static readonly DiagnosticDescriptor SvdValueTooWide = Described("IOSYS114", "SVD value wider than its register or field", DiagnosticSeverity.Warning, "The CMSIS-SVD reader's SVD014, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS115: Duplicate name in an SVD scope.</summary>
    public static readonly DiagnosticDescriptor SvdDuplicateName = Described("IOSYS115", "Duplicate name in an SVD scope", DiagnosticSeverity.Warning, "The CMSIS-SVD reader's SVD015, reported by the register generator at the file, line and element at fault (see docs/registers.md).");

    /// <summary>IOSYS116: SVD elements nested too deep.</summary>
    public static readonly DiagnosticDescriptor SvdTooDeep = Described("IOSYS116", "SVD elements nested too deep", DiagnosticSeverity.Error, "The CMSIS-SVD reader's SVD016: elements nested deeper than 64 levels; the file is refused in one linear pass before anything is built (see docs/registers.md).");

    /// <summary>IOSYS120: SVD element not generated.</summary>
    public static readonly DiagnosticDescriptor SvdNotGenerated = Described("IOSYS120", "SVD element not generated", DiagnosticSeverity.Warning, "What the description says cannot be expressed as a generated register (width other than 8/16/32/64 bits, misaligned offset or stride): that element is left out.");

    /// <summary>IOSYS121: SVD AdditionalFiles metadata problem.</summary>
    public static readonly DiagnosticDescriptor SvdMetadata = Described("IOSYS121", "SVD AdditionalFiles metadata problem", DiagnosticSeverity.Warning, "The IoSysNamespace/IoSysPeripherals/IoSysWidthRules/IoSysEnums metadata of the AdditionalFiles item is malformed or names a peripheral the file lacks.");

    /// <summary>IOSYS199: Register generator internal error.</summary>
    public static readonly DiagnosticDescriptor SvdInternalError = Described("IOSYS199", "Register generator internal error", DiagnosticSeverity.Error, "A bug in the reader or the generator, reported instead of crashing the compiler; please report it with the file.");

    /// <summary>The descriptor of a description-file diagnostic, by ID (IOSYS101-199); IOSYS199 for an unknown ID.</summary>
    internal static DiagnosticDescriptor Svd(string id) => id switch
    {
        "IOSYS101" => SvdUnreadable,
        "IOSYS102" => SvdNotXml,
        "IOSYS103" => SvdNotDevice,
        "IOSYS104" => SvdMissingElement,
        "IOSYS105" => SvdBadNumber,
        "IOSYS106" => SvdUnknownKeyword,
        "IOSYS107" => SvdUnknownBase,
        "IOSYS108" => SvdCircularBase,
        "IOSYS109" => SvdBadDim,
        "IOSYS110" => SvdFieldBits,
        "IOSYS111" => SvdUnsupported,
        "IOSYS112" => SvdLimits,
        "IOSYS113" => SvdFieldsOverlap,
        "IOSYS114" => SvdValueTooWide,
        "IOSYS115" => SvdDuplicateName,
        "IOSYS116" => SvdTooDeep,
        "IOSYS120" => SvdNotGenerated,
        "IOSYS121" => SvdMetadata,
        "IOSYS199" => SvdInternalError,
        _ => SvdInternalError,
    };

    private static DiagnosticDescriptor Described(string id, string title, DiagnosticSeverity severity, string description) =>
        new(id, title, "{0}", Descriptions, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLink(id));

    /// <summary>The help link of a rule: its section in docs/compile-time.md.</summary>
    public static string HelpLink(string id) => HelpLinkBase + id.ToLowerInvariant();
}
