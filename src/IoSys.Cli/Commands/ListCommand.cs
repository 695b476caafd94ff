using System.CommandLine;
using System.Globalization;
using IoSys.Cli.Output;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>list [--json]</c>: PCI devices with their driver, IOMMU group and BARs, UIO devices with their maps, simulated devices.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        Option<bool> json = CommonOptions.Json();
        var command = new Command("list", "List PCI devices with their BARs, UIO devices with their maps, and simulated devices") { json };
        command.SetAction(result =>
        {
            JsonListResult list = DeviceCatalog.Collect(context);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, list, CliJsonContext.Default.JsonListResult);
                return ExitCodes.Ok;
            }

            TextWriter o = context.Out;
            o.Write($"PCI devices ({TextEscape.Escape(context.SysfsRoot)}/bus/pci/devices):\n");
            if (list.Pci.Count == 0)
            {
                o.Write("  (none)\n");
            }

            foreach (JsonPciDevice d in list.Pci)
            {
                string decoding = d.MemoryDecoding switch
                {
                    false => "  DISABLED (memory decoding off: use --enable)",
                    null => "  (memory decoding unknown)",
                    _ => "",
                };
                string group = d.IommuGroup is { } g ? $"  iommu group {g}{(d.IommuGroupMembers.Count == 0 ? "" : " (with " + TextEscape.Escape(string.Join(", ", d.IommuGroupMembers)) + ")")}" : "";
                o.Write($"  {TextEscape.Escape(d.Address)}  {d.VendorId}:{d.DeviceId}  class {d.ClassCode}{(d.Driver is null ? "" : "  driver " + TextEscape.Escape(d.Driver))}{group}{decoding}\n");
                foreach (JsonBar b in d.Bars)
                {
                    string flags = b.Kind == "memory" ? (b.Is64Bit ? " 64-bit" : " 32-bit") + (b.Prefetchable ? " prefetchable" : "") : "";
                    o.Write($"    bar{b.Index}  {b.Kind,-6}  0x{b.Address:x16}  {Size(b.Size),-22}{flags}  {TextEscape.Escape(b.Target)}\n");
                }
            }

            o.Write($"UIO devices ({TextEscape.Escape(context.SysfsRoot)}/class/uio):\n");
            if (list.Uio.Count == 0)
            {
                o.Write("  (none)\n");
            }

            foreach (JsonUioDevice d in list.Uio)
            {
                o.Write($"  uio{d.Number}  {TextEscape.Escape(d.Name)}{(d.Version is null ? "" : "  version " + TextEscape.Escape(d.Version))}\n");
                foreach (JsonUioMap m in d.Maps)
                {
                    o.Write($"    map{m.Index}  0x{m.Address:x16}  {Size(m.Size),-22}  {TextEscape.Escape(m.Target)}{(m.Name is { Length: > 0 } ? "  (" + TextEscape.Escape(m.Name) + ")" : "")}\n");
                }
            }

            o.Write("Simulated devices:\n");
            foreach (JsonSimDevice s in list.Simulated)
            {
                o.Write($"  {s.Target,-10}  {Size(s.Size),-22}  {s.Description}\n");
            }

            foreach (string warning in list.Warnings)
            {
                ErrorReporter.TryWrite(context.Error, $"iosys: warning: {TextEscape.Escape(warning)}\n");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A size as <c>1 MiB (0x100000)</c>.</summary>
    internal static string Size(long bytes)
    {
        string human = bytes switch
        {
            >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
            >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20} MiB",
            >= 1 << 10 when bytes % (1 << 10) == 0 => $"{bytes >> 10} KiB",
            _ => $"{bytes} B",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{human} (0x{bytes:x})");
    }
}
