using IoSys.Cli.Parsing;
using IoSys.Linux;
using IoSys.Simulation;

namespace IoSys.Cli.Targets;

/// <summary>An opened target: its map, and whatever must stay alive while the map is used.</summary>
internal sealed class OpenTarget(TargetSpec spec, IoSysMap map, IDisposable? owner = null, FileStatus? file = null) : IDisposable
{
    /// <summary>Lent by a batch: <see cref="Dispose"/> leaves the map and its owner open.</summary>
    public bool Borrowed { get; init; }

    /// <summary>The target as parsed.</summary>
    public TargetSpec Spec { get; } = spec;

    /// <summary>The map of the whole target.</summary>
    public IoSysMap Map { get; } = map;

    /// <summary>
    /// For targets that can disappear while mapped (a removed PCI device): null while present, else why it is gone.
    /// Long-running commands ask before each access.
    /// </summary>
    public Func<string?>? Gone { get; init; }

    /// <summary>Throws if the target is gone (see <see cref="Gone"/>): the message names it and what stopped.</summary>
    /// <param name="doing">What stopped, e.g. "watching".</param>
    public void ThrowIfGone(string doing)
    {
        if (Gone?.Invoke() is { } gone)
        {
            throw new CliRuntimeException($"{Spec.Text} is gone, stopped {doing}: {gone}");
        }
    }

    /// <summary>The file behind the target (files, shm, sysfs resources), for the own-target check of outputs; null otherwise.</summary>
    public FileStatus? File { get; } = file;

    /// <summary>Disposes the map, then its owner (a UIO device, a simulated device, an unmapped file).</summary>
    public void Dispose()
    {
        if (Borrowed)
        {
            return; // The batch that lent it disposes it.
        }

        Map.Dispose();
        owner?.Dispose();
    }
}

/// <summary>Opens a <see cref="TargetSpec"/> through IoSys.Linux or IoSys.Simulation: read-only unless the command writes.</summary>
/// <remarks>In a batch (<see cref="CliContext.BatchTarget"/>) every command borrows the batch's one opened target.</remarks>
internal static class TargetOpener
{
    /// <summary>Where POSIX shared memory lives (shm_open's directory on Linux).</summary>
    internal const string ShmDirectory = "/dev/shm";

    public static OpenTarget Open(TargetSpec spec, bool writable, CliContext context)
    {
        if (context.BatchTarget is { } shared)
        {
            return new(shared.Spec, shared.Map, null, shared.File) { Gone = shared.Gone, Borrowed = true };
        }

        bool readOnly = !writable;
        switch (spec.Kind)
        {
            case TargetKind.File when IsSysfsResource(spec.Name!):
            {
                // A sysfs resourceN file is a PCI BAR: it can only be mapped (read/pread are refused for memory BARs),
                // and as device memory, so bulk copies use single accesses. Its kind is checked first: a FIFO that
                // merely has the name must not be opened.
                FileStatus status = RequireRegular(spec.Name!);
                return new(spec, MappedFile.Open(spec.Name!, new MappedFileOptions { ReadOnly = readOnly, Space = IoSpace.IoMemory }), file: status);
            }

            case TargetKind.File:
                return OpenUnmapped(spec, spec.Name!, readOnly);
            case TargetKind.SharedMemory:
                // /dev/shm objects are tmpfs files: unmapped too, so a truncation by another process is an error, not SIGBUS.
                return OpenUnmapped(spec, Path.Join(ShmDirectory, spec.Name!), readOnly);
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

            case TargetKind.PciConfig:
            {
                // Config space through pread/pwrite of exactly each access's width: nothing is mapped, so no access can fault.
                PciDeviceInfo device = PciDevices.Find(spec.Name!, context.SysfsRoot);
                PciConfigSpace config = PciConfigSpace.Open(device, writable);
                return new(spec, config.CreateMap(), config)
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

            case TargetKind.Vfio:
                return VfioTarget.Open(spec, readOnly, context);
            default:
                throw new UsageException($"cannot open target '{spec.Text}'");
        }
    }

    /// <summary>
    /// The status of <paramref name="path"/>, which must be a regular file: a FIFO, socket or device given as a file
    /// is refused by its kind, before anything opens it (opening a FIFO blocks; opening a device can have effects).
    /// </summary>
    public static FileStatus RequireRegular(string path)
    {
        if (!FileStatus.TryGet(path, out FileStatus status))
        {
            throw new CliRuntimeException($"'{path}' does not exist");
        }

        return status.Kind == FileKind.Regular
            ? status
            : throw new CliRuntimeException(
                $"'{path}' is {status.Kind.Describe()}, not a regular file; use mem: for physical memory, uio: for UIO devices and pci: for PCI BARs");
    }

    private static OpenTarget OpenUnmapped(TargetSpec spec, string path, bool readOnly)
    {
        RequireRegular(path);
        RegularFileIo file = RegularFileIo.Open(path, readOnly);
        try
        {
            return new(spec, file.CreateMap(), file, file.Status);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool IsSysfsResource(string path)
    {
        string name = Path.GetFileName(path);
        return path.Contains("/devices/", StringComparison.Ordinal) && name.StartsWith("resource", StringComparison.Ordinal) &&
               name.Length > 8 && char.IsAsciiDigit(name[8]);
    }
}
