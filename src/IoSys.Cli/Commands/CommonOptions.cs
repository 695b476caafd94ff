using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Commands;

/// <summary>Arguments and options shared by several commands, and the helpers that read them.</summary>
internal static class CommonOptions
{
    public const string TargetHelp =
        "What to access: PATH, file:PATH, shm:NAME, pci:0000:00:04.0 or pci:VVVV:DDDD[#N] (+/barN), uio:N or uio:NAME (+/mapN), mem:0xADDRESS+LENGTH, sim:edu";

    public static Argument<string> Target() => new("TARGET") { Description = TargetHelp };

    public static Argument<string> Offset() => new("OFFSET") { Description = "Offset in bytes from the start of the target (0x hex, 0b binary, decimal; K/M/G suffixes)" };

    public static Option<string?> Width(string description) => new("--width", "-w") { Description = description, HelpName = "8|16|32|64" };

    public static Option<string> Format() => new("--format", "-f")
    {
        Description = "How to print values: hex (0x, zero-padded to the width), dec or bin",
        HelpName = "hex|dec|bin",
        DefaultValueFactory = _ => "hex",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON, for scripts" };

    /// <summary>Parses a target argument.</summary>
    public static TargetSpec GetTarget(ParseResult result, Argument<string> argument) => TargetSpec.Parse(result.GetRequiredValue(argument));

    /// <summary>The width in bytes from a <c>--width</c> option, or <paramref name="defaultBytes"/>.</summary>
    public static int GetWidth(ParseResult result, Option<string?> option, int defaultBytes) =>
        result.GetValue(option) is { } bits ? NumberParser.ParseWidthBits(bits) : defaultBytes;

    /// <summary>The widths a bulk copy may use for a width in bytes from <see cref="GetWidth"/>: 0 means any.</summary>
    public static AccessWidths BulkWidths(int widthBytes) =>
        widthBytes == 0 ? AccessWidths.All : AccessWidthsExtensions.FromBytes(widthBytes);

    /// <summary>Throws the library's own exception if a typed access would be refused, before anything is touched.</summary>
    private static void Check(IoSysMap map, long offset, int width, bool write)
    {
        IoAccessError error = map.CheckAccess(offset, width, write);
        if (error != IoAccessError.None)
        {
            throw map.CreateAccessException(error, offset, width, write);
        }
    }

    /// <summary>
    /// THE range and width check of the tool: every command calls it once, before its first access, so that a
    /// request that would be refused anywhere touches nothing (a device read can have side effects; a load or fill
    /// refused halfway would leave a device half programmed). Checks that <c>[offset, offset + length)</c> lies within
    /// the map, naming the range (its end computed without overflow), the map's size and the target; then, when
    /// <paramref name="width"/> is not 0, that accesses of exactly that many bytes can cover the range: a whole number
    /// of them, aligned, accepted by the region throughout, and writable when <paramref name="write"/>. Width 0 means
    /// the bulk copy picks its widths (the library plans and checks each chunk before touching it).
    /// </summary>
    /// <remarks>The core's public <c>map.CheckRange(offset, length, widths, write)</c> replaces this body when it lands.</remarks>
    public static void CheckRange(IoSysMap map, TargetSpec target, long offset, long length, int width, bool write)
    {
        if (offset < 0 || length < 0 || offset > map.Size || length > map.Size - offset)
        {
            // The end as an unsigned sum: offset + length can pass long.MaxValue (read F 0x7fffffffffffffff).
            ulong end = (ulong)offset + (ulong)length;
            throw new CliRuntimeException(
                $"range {ValueFormatter.Offset(offset)}..0x{end:x} ({length} bytes) is outside {target.Text}, which is {ValueFormatter.Offset(map.Size)} ({map.Size}) bytes");
        }

        if (width == 0 || length == 0)
        {
            return;
        }

        if (length % width != 0)
        {
            throw new UsageException($"length {length} (0x{length:x}) is not a multiple of the {width * 8}-bit width");
        }

        // Ends first: these name the library's own reasons (misaligned, width refused, read-only).
        Check(map, offset, width, write);
        Check(map, offset + length - width, width, write);
        if (!map.WidthsAt(offset, length).Allows(width))
        {
            throw new CliRuntimeException(
                $"{target.Text} does not accept {width * 8}-bit accesses everywhere in {ValueFormatter.Offset(offset)}..{ValueFormatter.Offset(offset + length)}; " +
                $"it accepts {map.WidthsAt(offset, length).Describe()} accesses throughout that range");
        }
    }
}
