using IoSys.Cli;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Linux;
using IoSys.Registers.Descriptions.Svd;
using IoSys.Simulation;
using SharpFuzz;

// One AFL++ target per parser: the input is UTF-8 text. Parsing may succeed or throw the parser's documented refusal
// (UsageException for the tool's parsers, FormatException for traces; the sysfs readers skip or refuse malformed
// files with InvalidDataException/IOException; the SVD reader reports diagnostics); anything else escapes, and AFL++
// records the input as a crash.
Action<string>? parse = args.Length == 1 ? args[0] switch
{
    "number" => text =>
    {
        Only(() => NumberParser.ParseValue(text, "value"));
        Only(() => NumberParser.ParseValue(text, "value", 16));
        Only(() => NumberParser.ParseOffset(text));
        Only(() => NumberParser.ParseWidthBits(text));
        Only(() =>
        {
            TimeSpan d = NumberParser.ParseDuration(text, "timeout");
            return d >= TimeSpan.Zero && d <= TimeSpan.FromDays(1) ? d : throw new InvalidOperationException($"duration {d} outside [0, 1 day]");
        });
    },
    "target" => text => Only(() =>
    {
        TargetSpec spec = TargetSpec.Parse(text);
        return spec.Text == text && spec.Index is >= 0 and <= 5 ? spec : throw new InvalidOperationException("target parsed inconsistently");
    }),
    "escape" => text =>
    {
        string escaped = TextEscape.Escape(text);
        if (escaped.Any(c => c < ' ' || c is >= '\u007f' and <= '\u009f'))
        {
            throw new InvalidOperationException("escaped text kept a control character");
        }
    },
    "trace" => text =>
    {
        AccessTrace trace;
        try
        {
            trace = AccessTrace.ParseText(text);
        }
        catch (FormatException)
        {
            return;
        }

        // What parses must survive its own round trip unchanged.
        AccessTrace again = AccessTrace.ParseText(trace.ToText());
        if (!again.Records.SequenceEqual(trace.Records))
        {
            throw new InvalidOperationException("a parsed trace does not read back as itself");
        }
    },
    "sysfs" => SysfsFixture.Parse,
    "svd" => text =>
    {
        SvdReadResult result = SvdReader.Parse(text, "fuzz.svd");
        if (result.Device is null && result.Diagnostics.Count == 0)
        {
            throw new InvalidOperationException("no device and no diagnostic");
        }
    },
    _ => null,
} : null;

if (parse is null)
{
    Console.Error.WriteLine("usage: IoSys.Cli.Fuzz.Afl number|target|escape|trace|sysfs|svd   (run under afl-fuzz; see run.sh)");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
    parse(reader.ReadToEnd());
});
return 0;

static void Only<T>(Func<T> parse)
{
    try
    {
        parse();
    }
    catch (UsageException)
    {
    }
}

/// <summary>
/// A sysfs tree with one PCI device and one UIO device whose files hold the input: its parts, split at '§', are the
/// PCI resource, vendor, device and class files, the UIO map's addr, size and offset files, the UIO name, the PCI
/// config space (as Latin-1 bytes) and a PCI selector. Missing parts are empty files.
/// </summary>
internal static class SysfsFixture
{
    private static readonly string Root = Directory.CreateTempSubdirectory("iosys-afl-sysfs-").FullName;
    private static readonly string Pci = Path.Join(Root, "bus", "pci", "devices", "0000:00:04.0");
    private static readonly string Uio = Path.Join(Root, "class", "uio", "uio0");

    public static void Parse(string text)
    {
        string[] parts = text.Split('\u00a7');
        string Part(int i) => i < parts.Length ? parts[i] : "";
        Directory.CreateDirectory(Pci);
        Directory.CreateDirectory(Path.Join(Uio, "maps", "map0"));
        File.WriteAllText(Path.Join(Pci, "resource"), Part(0));
        File.WriteAllText(Path.Join(Pci, "vendor"), Part(1));
        File.WriteAllText(Path.Join(Pci, "device"), Part(2));
        File.WriteAllText(Path.Join(Pci, "class"), Part(3));
        File.WriteAllBytes(Path.Join(Pci, "config"), System.Text.Encoding.Latin1.GetBytes(Part(8)));
        File.WriteAllText(Path.Join(Uio, "maps", "map0", "addr"), Part(4));
        File.WriteAllText(Path.Join(Uio, "maps", "map0", "size"), Part(5));
        File.WriteAllText(Path.Join(Uio, "maps", "map0", "offset"), Part(6));
        File.WriteAllText(Path.Join(Uio, "name"), Part(7));
        File.WriteAllText(Path.Join(Uio, "version"), "1\n");

        // Enumeration never throws for a malformed device: it is skipped, with the reason.
        IReadOnlyList<PciDeviceInfo> devices = PciDevices.Enumerate(Root, out IReadOnlyList<SkippedEntry> skipped);
        if (devices.Count + skipped.Count != 1)
        {
            throw new InvalidOperationException($"{devices.Count} devices and {skipped.Count} skipped entries for one directory");
        }

        UioDevices.Enumerate(Root, out _);
        try
        {
            PciDevices.TryFind(Part(9).Length > 0 ? Part(9) : "0000:00:04.0", out _, Root);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
        }
    }
}
