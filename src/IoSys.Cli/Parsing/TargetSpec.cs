using System.Globalization;
using System.Text.RegularExpressions;

namespace IoSys.Cli.Parsing;

/// <summary>What kind of memory a target names.</summary>
internal enum TargetKind
{
    /// <summary>A regular file (or a sysfs <c>resourceN</c> file), mapped shared.</summary>
    File,

    /// <summary>A POSIX shared-memory object, <c>/dev/shm/NAME</c>.</summary>
    SharedMemory,

    /// <summary>A PCI BAR, by device address or vendor:device id.</summary>
    Pci,

    /// <summary>A PCI device's config space (sysfs <c>config</c>), by device address or vendor:device id.</summary>
    PciConfig,

    /// <summary>A UIO map, by device number or name.</summary>
    Uio,

    /// <summary>Physical memory through <c>/dev/mem</c>.</summary>
    PhysicalMemory,

    /// <summary>An in-process simulated device.</summary>
    Simulated,

    /// <summary>A region of a device bound to vfio-pci (<c>vfio:ADDR|vvvv:dddd[/barN|/config]</c>).</summary>
    Vfio,
}

/// <summary>
/// A parsed target: <c>PATH</c>, <c>file:PATH</c>, <c>shm:NAME</c>, <c>pci:0000:00:04.0[/barN|/config]</c>,
/// <c>pci:1234:11e8[#N][/barN]</c>, <c>uio:0[/mapN]</c>, <c>uio:NAME[/mapN]</c>, <c>mem:0xADDRESS+LENGTH</c> or
/// <c>sim:NAME</c>.
/// </summary>
/// <param name="Kind">The kind of memory.</param>
/// <param name="Text">The target as the user typed it (for messages).</param>
/// <param name="Name">Path (file), name (shm, uio, sim) or selector (pci); null for <c>mem:</c>.</param>
/// <param name="Index">BAR (pci) or map (uio) index; 0 otherwise.</param>
/// <param name="Address">Physical address (<c>mem:</c> only).</param>
/// <param name="Length">Length in bytes (<c>mem:</c> only).</param>
internal sealed partial record TargetSpec(TargetKind Kind, string Text, string? Name, int Index = 0, ulong Address = 0, long Length = 0)
{
    /// <summary>Parses a target. Throws <see cref="UsageException"/> naming the target on any mistake.</summary>
    public static TargetSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UsageException("target is empty (e.g. sim:edu, file:/tmp/x, shm:name, pci:0000:00:04.0, uio:0, mem:0xfe000000+4K)");
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon > 0 ? text[..colon] : "";
        string rest = colon > 0 ? text[(colon + 1)..] : text;
        switch (scheme)
        {
            case "file":
                return rest.Length > 0 ? new(TargetKind.File, text, rest) : throw Bad(text, "file: needs a path, e.g. file:/tmp/regs.bin");
            case "shm":
            {
                string name = rest.TrimStart('/');
                if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
                {
                    throw Bad(text, "shm: needs a name without '/', e.g. shm:iosys-demo (the object /dev/shm/iosys-demo)");
                }

                return new(TargetKind.SharedMemory, text, name);
            }

            case "pci":
                return ParsePci(text, rest);
            case "uio":
                return ParseUio(text, rest);
            case "mem":
                return ParseMem(text, rest);
            case "vfio":
                return Targets.VfioTarget.Parse(text, rest);
            case "sim":
                return rest.Length > 0 && SimNameRegex().IsMatch(rest)
                    ? new(TargetKind.Simulated, text, rest)
                    : throw Bad(text, "sim: needs a device name, e.g. sim:edu");
            default:
                // Anything else is a path, including ones that contain ':' after a '/' or a '.'.
                if (colon > 0 && SchemeLikeRegex().IsMatch(scheme) && !File.Exists(text))
                {
                    throw Bad(text, $"unknown target kind '{scheme}:' (use file:, shm:, pci:, uio:, mem: or sim:, or a path)");
                }

                return new(TargetKind.File, text, text);
        }
    }

    private static TargetSpec ParsePci(string text, string rest)
    {
        const string config = "/config";
        bool isConfig = rest.EndsWith(config, StringComparison.OrdinalIgnoreCase);
        (string selector, int bar) = isConfig ? (rest[..^config.Length], 0) : SplitIndex(text, rest, "/bar", 5, "BAR");
        Match m = PciRegex().Match(selector);
        if (!m.Success)
        {
            throw Bad(text, "pci: needs a device address (0000:00:04.0 or 00:04.0) or a vendor:device id (1234:11e8, 1234:11e8#1 for the second one), then /barN or /config optionally");
        }

        if (m.Groups["bdf"].Success && !m.Groups["dom"].Success)
        {
            selector = "0000:" + selector;
        }

        return new(isConfig ? TargetKind.PciConfig : TargetKind.Pci, text, selector.ToLowerInvariant(), bar);
    }

    private static TargetSpec ParseUio(string text, string rest)
    {
        (string device, int map) = SplitIndex(text, rest, "/map", 4, "map");
        if (device.StartsWith("uio", StringComparison.Ordinal) && device.Length > 3 && device[3..].All(char.IsAsciiDigit))
        {
            device = device[3..];
        }

        return device.Length > 0 && !device.Contains('/', StringComparison.Ordinal)
            ? new(TargetKind.Uio, text, device, map)
            : throw Bad(text, "uio: needs a device number or name, e.g. uio:0 or uio:edu, then /mapN optionally");
    }

    private static TargetSpec ParseMem(string text, string rest)
    {
        int plus = rest.IndexOf('+', StringComparison.Ordinal);
        if (plus <= 0 || plus == rest.Length - 1)
        {
            throw Bad(text, "mem: needs ADDRESS+LENGTH, e.g. mem:0xfe000000+4K");
        }

        ulong address = NumberParser.ParseValue(rest[..plus], "physical address");
        long length = NumberParser.ParseLength(rest[(plus + 1)..], "length");
        if (length == 0)
        {
            throw Bad(text, "mem: length must be at least 1 byte");
        }

        if (address > ulong.MaxValue - (ulong)length)
        {
            throw Bad(text, "mem: address + length passes the end of the address space");
        }

        return new(TargetKind.PhysicalMemory, text, null, Address: address, Length: length);
    }

    /// <summary>Splits <c>X/barN</c> into X and N (0 when absent).</summary>
    private static (string Head, int Index) SplitIndex(string text, string rest, string marker, int max, string what)
    {
        int at = rest.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            if (rest.Contains('/', StringComparison.Ordinal))
            {
                throw Bad(text, $"expected {marker}N after the device, e.g. {marker}0");
            }

            return (rest, 0);
        }

        string digits = rest[(at + marker.Length)..];
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index > max)
        {
            throw Bad(text, $"{what} index '{digits}' is not a number from 0 to {max}");
        }

        return (rest[..at], index);
    }

    private static UsageException Bad(string text, string why) => new($"bad target '{text}': {why}");

    [GeneratedRegex(@"^(?:(?<bdf>(?<dom>[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7])|(?<id>[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(?:#\d{1,3})?))$")]
    private static partial Regex PciRegex();

    [GeneratedRegex("^[a-z][a-z0-9]*$")]
    private static partial Regex SimNameRegex();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*$")]
    private static partial Regex SchemeLikeRegex();
}
