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

    /// <summary>The help link of a rule: its section in docs/compile-time.md.</summary>
    public static string HelpLink(string id) => HelpLinkBase + id.ToLowerInvariant();
}
