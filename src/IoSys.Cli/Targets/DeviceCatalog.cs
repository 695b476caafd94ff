using IoSys.Cli.Output;
using IoSys.Linux;
using IoSys.Simulation;

namespace IoSys.Cli.Targets;

/// <summary>Collects what <c>list</c> shows, from sysfs (/sys or --sysfs-root) and the simulated devices.</summary>
internal static class DeviceCatalog
{
    public static JsonListResult Collect(CliContext context)
    {
        var warnings = new List<string>();
        var pci = new List<JsonPciDevice>();
        try
        {
            IReadOnlyList<PciDeviceInfo> devices = PciDevices.Enumerate(context.SysfsRoot, out IReadOnlyList<SkippedEntry> skippedPci);
            warnings.AddRange(skippedPci.Select(e => $"skipped PCI entry {e.Path}: {e.Reason}"));
            foreach (PciDeviceInfo d in devices)
            {
                var bars = new List<JsonBar>();
                foreach (PciBarInfo b in d.Bars)
                {
                    if (b.Kind == PciBarKind.Unused)
                    {
                        continue;
                    }

                    bars.Add(new JsonBar(b.Index, b.Kind == PciBarKind.Memory ? "memory" : "io", b.PhysicalAddress, b.Size, b.IsPrefetchable, b.Is64Bit,
                        $"pci:{d.Address}/bar{b.Index}"));
                }

                PciBindingInfo? binding = null;
                try
                {
                    binding = PciBinding.Get(d, context.SysfsRoot);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    warnings.Add($"cannot read the IOMMU group of {d.Address}: {ErrorReporter.OneLine(e)}");
                }

                pci.Add(new JsonPciDevice(d.Address, $"{d.VendorId:x4}", $"{d.DeviceId:x4}", $"0x{d.ClassCode:x6}", d.Driver, bars)
                {
                    MemoryDecoding = d.IsMemoryDecodingEnabled,
                    IommuGroup = binding?.IommuGroup,
                    IommuGroupMembers = binding is null ? [] : [.. binding.GroupMembers.Select(static m => m.Address)],
                });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            warnings.Add($"cannot enumerate PCI devices: {ErrorReporter.OneLine(e)}");
        }

        var uio = new List<JsonUioDevice>();
        try
        {
            IReadOnlyList<UioDeviceInfo> devices = UioDevices.Enumerate(context.SysfsRoot, out IReadOnlyList<SkippedEntry> skippedUio);
            warnings.AddRange(skippedUio.Select(e => $"skipped UIO entry {e.Path}: {e.Reason}"));
            foreach (UioDeviceInfo d in devices)
            {
                var maps = new List<JsonUioMap>();
                foreach (UioMapInfo m in d.Maps)
                {
                    maps.Add(new JsonUioMap(m.Index, m.Name, m.PhysicalAddress, m.Size, $"uio:{d.Number}/map{m.Index}"));
                }

                uio.Add(new JsonUioDevice(d.Number, d.Name, d.Version, maps));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            warnings.Add($"cannot enumerate UIO devices: {ErrorReporter.OneLine(e)}");
        }

        var simulated = new List<JsonSimDevice>();
        foreach (string name in SimulatedDevices.Names)
        {
            using SimulatedDevice device = SimulatedDevices.Create(name);
            simulated.Add(new JsonSimDevice(name, "sim:" + name, device.Size, Describe(name)));
        }

        return new JsonListResult(pci, uio, simulated, warnings);
    }

    private static string Describe(string name) => name == "edu"
        ? "QEMU's edu PCI device (1234:11e8 BAR0), simulated in-process: id 0x010000ed at 0x00, liveness at 0x04, factorial at 0x08"
        : "simulated device";
}
