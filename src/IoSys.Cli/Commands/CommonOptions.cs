using System.CommandLine;
using System.Diagnostics;
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

    /// <summary>
    /// THE range and width check of the tool: every command calls it once, before its first access, so that a
    /// request that would be refused anywhere touches nothing (a device read can have side effects; a load or fill
    /// refused halfway would leave a device half programmed). It is the core's own check of the transfer
    /// (<see cref="IoSysMap.TryCheckRange"/>: range, aligned accesses the region accepts covering it, read-only) with
    /// the tool's wording: a range outside the target names the range (its end computed without overflow), the
    /// target and its size; a length that is not a whole number of <paramref name="width"/>-byte accesses is a usage
    /// error; an access refused inside the range is reported as the library reports that single access (offset,
    /// width, the map's size and why). Width 0 lets the transfer use any width the region accepts.
    /// </summary>
    /// <returns>The transfer's plan (the accesses it makes), for <see cref="ChunkedTransfer"/>.</returns>
    public static IoTransferPlan CheckRange(IoSysMap map, TargetSpec target, long offset, long length, int width, bool write)
    {
        AccessWidths widths = BulkWidths(width);
        if (map.TryPlanTransfer(offset, length, widths, write, out IoTransferPlan plan, out IoAccessError error, out long failedAt))
        {
            return plan; // One walk of the range checks and plans it.
        }

        if (error == IoAccessError.OutOfRange)
        {
            throw Outside(map, target, offset, length);
        }

        if (width != 0 && length % width != 0)
        {
            throw new UsageException($"length {length} (0x{length:x}) is not a multiple of the {width * 8}-bit width");
        }

        // The first access the core could not plan, as a single access: misaligned, or a width the region refuses there.
        if (error == IoAccessError.WidthRefused && width != 0 && map.CheckAccess(failedAt, width, write) is var single && single != IoAccessError.None)
        {
            throw map.CreateAccessException(single, failedAt, width, write);
        }

        map.CheckRange(offset, length, widths, write); // Throws the core's own exception for what is left.
        throw new UnreachableException();
    }

    /// <summary>
    /// Only the range part of <see cref="CheckRange"/> (the core's range check, the tool's wording): for a request
    /// whose parts are checked with different widths afterwards (load's main part and tail).
    /// </summary>
    public static void CheckInRange(IoSysMap map, TargetSpec target, long offset, long length)
    {
        // The core checks the range first, so OutOfRange is reported whatever the widths would say.
        if (!map.TryCheckRange(offset, length, AccessWidths.All, write: false, out IoAccessError error, out _) && error == IoAccessError.OutOfRange)
        {
            throw Outside(map, target, offset, length);
        }
    }

    private static CliRuntimeException Outside(IoSysMap map, TargetSpec target, long offset, long length)
    {
        // The end as an unsigned sum: offset + length can pass long.MaxValue (read F 0x7fffffffffffffff).
        ulong end = (ulong)offset + (ulong)length;
        return new CliRuntimeException(
            $"range {ValueFormatter.Offset(offset)}..0x{end:x} ({length} bytes) is outside {target.Text}, which is {ValueFormatter.Offset(map.Size)} ({map.Size}) bytes");
    }
}
