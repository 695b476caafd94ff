using IoSys.Cli.Parsing;
using IoSys.Linux;
using IoSys.Simulation;

namespace IoSys.Cli.Targets;

/// <summary>An opened target: its map, and whatever must stay alive while the map is used.</summary>
internal sealed class OpenTarget(TargetSpec spec, IoSysMap map, IDisposable? owner = null) : IDisposable
{
    /// <summary>The target as parsed.</summary>
    public TargetSpec Spec { get; } = spec;

    /// <summary>The map of the whole target.</summary>
    public IoSysMap Map { get; } = map;

    /// <summary>
    /// For targets that can disappear while mapped (a removed PCI device): null while present, else why it is gone.
    /// Long-running commands ask before each access.
    /// </summary>
    public Func<string?>? Gone { get; init; }

    /// <summary>Disposes the map, then its owner (a UIO device, a simulated device).</summary>
    public void Dispose()
    {
        Map.Dispose();
        owner?.Dispose();
    }
}

/// <summary>Opens a <see cref="TargetSpec"/> through IoSys.Linux or IoSys.Simulation: read-only unless the command writes.</summary>
internal static class TargetOpener
{
    public static OpenTarget Open(TargetSpec spec, bool writable, CliContext context)
    {
        bool readOnly = !writable;
        switch (spec.Kind)
        {
            case TargetKind.File:
                return new(spec, MappedFile.Open(spec.Name!, new MappedFileOptions
                {
                    ReadOnly = readOnly,
                    // A sysfs resourceN file is a PCI BAR: device memory, so bulk copies use single accesses.
                    Space = IsSysfsResource(spec.Name!) ? IoSpace.IoMemory : null,
                }));
            case TargetKind.SharedMemory:
                return new(spec, SharedMemory.Open(spec.Name!, new SharedMemoryOptions { ReadOnly = readOnly }));
            case TargetKind.PhysicalMemory:
                return new(spec, PhysicalMemory.Open(spec.Address, spec.Length, new PhysicalMemoryOptions { ReadOnly = readOnly }));
            case TargetKind.Pci:
            {
                PciDeviceInfo device = PciDevices.Find(spec.Name!, context.SysfsRoot);
                return new(spec, PciDevices.OpenBar(device, spec.Index, new PciOpenOptions
                {
                    ReadOnly = readOnly,
                    EnableDevice = context.EnableDevices,
                    MapOptions = KnownDevices.MapOptionsFor(device, spec.Index),
                }))
                {
                    Gone = () => PciDevices.IsPresent(device)
                        ? null
                        : $"PCI device {device.Address} ({device.Id}) was removed: '{device.SysfsPath}' no longer describes it",
                };
            }

            case TargetKind.Uio:
            {
                UioDevice device = UioDevice.Open(spec.Name!, context.SysfsRoot, context.DevRoot);
                try
                {
                    IoSysMap map = device.MapRegion(spec.Index, readOnly ? IoMapOptions.IoMemory.AsReadOnly() : IoMapOptions.IoMemory);
                    return new(spec, map, device);
                }
                catch
                {
                    device.Dispose();
                    throw;
                }
            }

            case TargetKind.Simulated:
            {
                SimulatedDevice device = SimulatedDevices.Create(spec.Name!);
                return new(spec, device.Map.Slice(0), device);
            }

            default:
                throw new UsageException($"cannot open target '{spec.Text}'");
        }
    }

    private static bool IsSysfsResource(string path)
    {
        string name = Path.GetFileName(path);
        return path.Contains("/devices/", StringComparison.Ordinal) && name.StartsWith("resource", StringComparison.Ordinal) &&
               name.Length > 8 && char.IsAsciiDigit(name[8]);
    }
}
