using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Vfio;

/// <summary>
/// A PCI device owned through VFIO (bound to <c>vfio-pci</c>): its regions as <see cref="IoSysMap"/>s, its config
/// space, reset, bus mastering, DMA buffers the IOMMU confines the device to, and its interrupts on eventfds. No
/// root and no <c>/dev/mem</c> are needed once the device is bound and its group node is the user's.
/// </summary>
/// <remarks>
/// <para>Opening walks the container/group API (type1v2): <c>/dev/vfio/vfio</c>, the group <c>/dev/vfio/N</c> (which
/// must be viable: every device in the IOMMU group bound to vfio-pci or to no driver), <c>VFIO_SET_IOMMU</c>, the
/// IOMMU's IOVA ranges, then the device descriptor. Each missing step (modules, IOMMU, binding, permissions) is a
/// <see cref="VfioException"/> that says what to do.</para>
/// <para>The device's DMA can reach only the buffers made by <see cref="AllocateDmaBuffer"/> and
/// <see cref="CreateDmaPool"/>, and only while they are mapped. Disposing the device closes the container, which
/// removes every mapping that is left.</para>
/// <para>One group is opened per device: two devices of one IOMMU group cannot be opened at once (the group node is
/// exclusive).</para>
/// </remarks>
/// <example>
/// <code>
/// using VfioDevice device = VfioDevice.Open("0000:00:02.0");
/// using IoSysMap bar0 = device.OpenBar(0);
/// Console.WriteLine($"edu id 0x{bar0.Read32(0):x8}");
/// device.BusMaster = true;
/// </code>
/// </example>
public sealed class VfioDevice : IDisposable
{
    private const int MaxRegions = 64;
    private const AccessWidths ConfigWidths = AccessWidths.Bits8 | AccessWidths.Bits16 | AccessWidths.Bits32;
    private const int MaxIrqs = 64;

    private readonly VfioType1Container _container;
    private readonly SafeFileHandle _device;
    private readonly VfioDmaAllocator _dma;
    private readonly object _lock = new();
    private readonly List<VfioInterrupts> _interrupts = [];
    private readonly VfioOpenOptions _options;
    private IoSysMap? _config;
    private volatile bool _disposed;

    private VfioDevice(VfioType1Container container, SafeFileHandle device, VfioDeviceInfo info, VfioOpenOptions options)
    {
        _container = container;
        _device = device;
        Info = info;
        _options = options;
        _dma = new VfioDmaAllocator(container, info.Address);
    }

    /// <summary>The device's PCI address, e.g. <c>0000:00:02.0</c>.</summary>
    public string Address => Info.Address;

    /// <summary>What the kernel reports: regions, interrupts, reset support, IOMMU group.</summary>
    public VfioDeviceInfo Info { get; }

    /// <summary>The IOVA ranges the IOMMU translates (from <c>VFIO_IOMMU_GET_INFO</c>); DMA buffers get addresses in these, below the DMA mask.</summary>
    public IReadOnlyList<IovaRange> IovaRanges => _container.IovaRanges;

    /// <summary>The IOMMU page sizes, a bit per size (bit 12 = 4 KiB, bit 21 = 2 MiB).</summary>
    public ulong IommuPageSizes => _container.PageSizes;

    /// <summary>The DMA address width this device's buffers are allocated below (see <see cref="VfioOpenOptions.DmaAddressBits"/>).</summary>
    public int DmaAddressBits => _options.DmaAddressBits;

    /// <summary>Whether the device is disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Opens a device bound to vfio-pci, by PCI address (<c>0000:00:02.0</c>, or <c>00:02.0</c> in domain 0) or by
    /// <c>vendor:device</c> id in hex (<c>1234:11e8</c>), which must match exactly one device.
    /// </summary>
    /// <param name="device">The address or id.</param>
    /// <param name="options">Roots and the DMA address width. Default: <c>/sys</c>, <c>/dev</c>, 32 bits.</param>
    /// <returns>The open device; dispose it to give the device back to the kernel.</returns>
    /// <exception cref="ArgumentException">The name is neither an address nor an id, an id matches several devices (the message lists them), or the options are invalid.</exception>
    /// <exception cref="FileNotFoundException">No such device.</exception>
    /// <exception cref="UnauthorizedAccessException">The container or group node cannot be opened (the message says how to grant access).</exception>
    /// <exception cref="InvalidDataException">The device's <c>iommu_group</c> link does not end in a group number.</exception>
    /// <exception cref="VfioException">The vfio modules are not loaded, the device has no IOMMU group, is not bound to vfio-pci, its group is not viable
    /// (the message names the other devices and their drivers), interrupts cannot be remapped, or another VFIO step failed.</exception>
    public static VfioDevice Open(string device, VfioOpenOptions? options = null)
    {
        options ??= new VfioOpenOptions();
        options.Validate();
        string address = ResolveAddress(device, options.SysfsRoot);
        int group = CheckBinding(address, options.SysfsRoot);
        string containerPath = Path.Join(options.DevRoot, "vfio", "vfio");
        string groupPath = Path.Join(options.DevRoot, "vfio", group.ToString(CultureInfo.InvariantCulture));
        VfioType1Container container = VfioType1Container.Open(containerPath, groupPath, () => DescribeGroup(group, options.SysfsRoot));
        SafeFileHandle? handle = null;
        try
        {
            handle = GetDeviceFd(container, address);
            VfioDeviceInfo info = QueryInfo(handle, address, group);
            return new VfioDevice(container, handle, info, options);
        }
        catch
        {
            handle?.Dispose();
            container.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps region <paramref name="index"/>: mmapped when the region allows it (and the kernel agrees), else reached
    /// through <c>pread</c>/<c>pwrite</c> with one access of exactly the width. I/O memory by default; read-only
    /// when the region is not writable.
    /// </summary>
    /// <param name="index">The region index (vfio-pci: 0-5 BARs, 6 ROM, 7 config (1, 2 and 4-byte accesses only), 8 VGA).</param>
    /// <param name="options">Map options. Default: <see cref="IoMapOptions.IoMemory"/>.</param>
    /// <returns>A map of the region's size in bytes; dispose it before or after the device.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The device has no such region, or it is empty.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public IoSysMap OpenRegion(int index, IoMapOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        VfioRegionInfo region = RegionOrThrow(index);
        bool writable = (region.Access & VfioRegionAccess.Write) != 0;
        IoMapOptions resolved = NativeFile.Resolve(options, null, IoSpace.IoMemory, readOnly: !writable);
        if (index == VfioRegionInfo.Config)
        {
            // vfio-pci splits a wider config access into 4-byte ones: allow only the widths that are one config cycle.
            resolved = resolved with { Space = IoSpace.IoMemory, AllowUnaligned = false, Widths = resolved.Widths & ConfigWidths };
        }

        string name = $"VFIO region {index} of {Address}";
        resolved = NativeFile.Described(resolved, index switch
        {
            <= 5 => $"vfio:{Address}/bar{index}",
            VfioRegionInfo.Config => $"vfio:{Address}/config",
            VfioRegionInfo.Rom => $"vfio:{Address}/rom",
            _ => $"vfio:{Address}/region{index}",
        });
        if ((region.Access & VfioRegionAccess.Mmap) != 0)
        {
            try
            {
                return MmapRegion.Map(_device, name, (long)region.Offset, 0, (long)region.Size, writable && !resolved.ReadOnly, LinuxErrors.RootOrUdev,
                    StatKinds.KernelDescriptor, name).CreateMap(resolved, name);
            }
            catch (IOException)
            {
                // Some regions advertise MMAP only for sparse areas (an MSI-X table inside a BAR): fall back to pread/pwrite.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return IoSysMap.Create(new VfioRegionIo(_device, region.Offset, name), (long)region.Size, resolved);
    }

    /// <summary>Maps BAR <paramref name="bar"/> (region 0-5): see <see cref="OpenRegion"/>.</summary>
    /// <param name="bar">The BAR number, 0 to 5.</param>
    /// <param name="options">Map options. Default: <see cref="IoMapOptions.IoMemory"/>.</param>
    /// <returns>A map of the BAR's size in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not 0-5, or the device does not implement that BAR.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public IoSysMap OpenBar(int bar, IoMapOptions? options = null)
    {
        if (bar is < 0 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(bar), bar, $"A PCI device has BARs 0 to 5; {bar} is not one.");
        }

        return OpenRegion(bar, options);
    }

    /// <summary>The expansion ROM (region 6), read-only, through <c>pread</c>.</summary>
    /// <returns>A read-only map of the ROM's size in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The device has no ROM.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public IoSysMap OpenRom()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        VfioRegionInfo region = RegionOrThrow(VfioRegionInfo.Rom);
        return IoSysMap.Create(new VfioRegionIo(_device, region.Offset, $"the ROM of {Address}"), (long)region.Size,
            IoMapOptions.IoMemory.AsReadOnly() with { Description = $"vfio:{Address}/rom" });
    }

    /// <summary>
    /// Config space (region 7) as a map over <c>pread</c>/<c>pwrite</c>: 1, 2 and 4-byte accesses, each one config
    /// cycle of that width. The kernel virtualizes parts of it (BARs, MSI capability). Owned by the device.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public IoSysMap Config
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_lock)
            {
                if (_config is null)
                {
                    VfioRegionInfo region = RegionOrThrow(VfioRegionInfo.Config);
                    _config = IoSysMap.Create(new VfioRegionIo(_device, region.Offset, $"the config space of {Address}"), (long)region.Size,
                        IoMapOptions.IoMemory with { Widths = ConfigWidths, Description = $"vfio:{Address}/config" });
                }

                return _config;
            }
        }
    }

    /// <summary>Command register bit 2: whether the device may master the bus (DMA and MSI need it). Set it before starting DMA.</summary>
    /// <exception cref="IOException">The config access failed.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public bool BusMaster
    {
        get => (Command & PciCommand.BusMaster) != 0;
        set => UpdateCommand(PciCommand.BusMaster, value);
    }

    /// <summary>Command register bit 1: whether the device decodes its memory BARs (reads return all-ones while off).</summary>
    /// <exception cref="IOException">The config access failed.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public bool MemoryDecoding
    {
        get => (Command & PciCommand.MemorySpace) != 0;
        set => UpdateCommand(PciCommand.MemorySpace, value);
    }

    /// <summary>The command register (config offset 4).</summary>
    /// <exception cref="IOException">The config access failed.</exception>
    public PciCommand Command => (PciCommand)Config.Read16(PciConfigSpace.CommandOffset);

    /// <summary>
    /// Resets the device (<c>VFIO_DEVICE_RESET</c>: FLR, PM or bus reset, as the kernel can). The kernel saves the
    /// config header and MSI state before and restores them after; the device's own registers are reset as the device
    /// implements it. Interrupts that are enabled stay enabled.
    /// </summary>
    /// <exception cref="NotSupportedException">The device reports no reset method (the message gives the kernel's
    /// <c>reset_method</c> list and what would give the device one).</exception>
    /// <exception cref="VfioException">The kernel refused the reset (the message says why: e.g. the device's lock was held, retry).</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public void Reset()
    {
        if (!Info.SupportsReset)
        {
            throw new NotSupportedException(VfioErrors.NoReset(Address, ResetMethods()) + ".");
        }

        int errno = ResetCore();
        if (errno != 0)
        {
            throw VfioErrors.ForReset(Address, errno, ResetMethods());
        }
    }

    /// <summary>Resets the device if it can be reset.</summary>
    /// <returns>True when the reset was done; false when unsupported or refused.</returns>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public bool TryReset() => Info.SupportsReset && ResetCore() == 0;

    /// <summary>
    /// Allocates DMA memory and maps it into the IOMMU for this device, at an IOVA from the IOMMU's ranges below the
    /// device's DMA mask (never the buffer's virtual address).
    /// </summary>
    /// <param name="size">Size in bytes, at least 1; rounded up to whole pages for the mapping.</param>
    /// <param name="direction">Which way the device moves data: sets the IOMMU permissions. Default: both.</param>
    /// <param name="hugePages">Use 2 MiB hugepages (IOVA aligned to 2 MiB, so the IOMMU can use 2 MiB pages). Default: 4 KiB pages.</param>
    /// <param name="dmaAddressBits">The device's DMA address width for this buffer; default <see cref="DmaAddressBits"/>.</param>
    /// <returns>The buffer; dispose it to unmap it from the IOMMU.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, or the address width is outside 12..64.</exception>
    /// <exception cref="InvalidOperationException">No IOVA space is left below the mask (the message says what is free).</exception>
    /// <exception cref="VfioException">No hugepages are available, the memlock limit is too low (the message says the limit and what was needed),
    /// or the kernel refused the mapping.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public VfioDmaBuffer AllocateDmaBuffer(long size, VfioDmaDirection direction = VfioDmaDirection.Bidirectional, bool hugePages = false, int? dmaAddressBits = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dma.Allocate(size, direction, hugePages, dmaAddressBits ?? _options.DmaAddressBits);
    }

    /// <summary>One DMA mapping to rent many small aligned blocks from (see <see cref="VfioDmaPool"/>).</summary>
    /// <param name="size">The pool's size in bytes.</param>
    /// <param name="direction">IOMMU permissions for every block. Default: both.</param>
    /// <param name="hugePages">Back the pool with 2 MiB hugepages.</param>
    /// <returns>The pool; dispose it to unmap it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive.</exception>
    /// <exception cref="VfioException">As for <see cref="AllocateDmaBuffer"/>.</exception>
    public VfioDmaPool CreateDmaPool(long size, VfioDmaDirection direction = VfioDmaDirection.Bidirectional, bool hugePages = false) =>
        new(AllocateDmaBuffer(size, direction, hugePages));

    /// <summary>
    /// Enables <paramref name="count"/> vectors of <paramref name="kind"/>, each signalled on its own eventfd. MSI and
    /// MSI-X also need <see cref="BusMaster"/> on. Only one kind can be enabled at a time.
    /// </summary>
    /// <param name="kind">INTx, MSI or MSI-X.</param>
    /// <param name="count">How many vectors, from 0; at most what the device has. Default 1.</param>
    /// <returns>The interrupts; dispose them to turn them off.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The device has fewer vectors of that kind (the message says how many), or count is below 1.</exception>
    /// <exception cref="InvalidOperationException">Interrupts of another kind are enabled.</exception>
    /// <exception cref="VfioException">The kernel refused (e.g. EINVAL for a kind the device does not implement).</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    public VfioInterrupts EnableInterrupts(VfioIrqKind kind, int count = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int available = (int)kind >= 0 && (int)kind < Info.Irqs.Count ? Info.Irqs[(int)kind].Count : 0;
        if (count < 1 || count > available)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"{Address} has {available} {kind} vector{(available == 1 ? "" : "s")}; asked for {count}.");
        }

        lock (_lock)
        {
            if (_interrupts.Count > 0)
            {
                throw new InvalidOperationException($"{_interrupts[0].Kind} interrupts of {Address} are enabled; dispose them before enabling {kind}.");
            }

            var fds = new SafeFileHandle[count];
            try
            {
                var raw = new int[count];
                for (int i = 0; i < count; i++)
                {
                    int fd = VfioNative.EventFd(0, VfioNative.EfdCloexec | VfioNative.EfdNonblock);
                    if (fd < 0)
                    {
                        throw new VfioException($"eventfd for {kind} vector {i} of {Address} failed: {LibC.Describe(LibC.LastError)}.", LibC.LastError);
                    }

                    fds[i] = new SafeFileHandle(fd, ownsHandle: true);
                    raw[i] = fd;
                }

                SetIrqs(kind, VfioNative.IrqSetDataEventFd | VfioNative.IrqSetActionTrigger, 0, (uint)count, raw);
                var interrupts = new VfioInterrupts(Address, kind, fds,
                    (flags, n) =>
                    {
                        if (!_disposed)
                        {
                            SetIrqs(kind, flags, 0, n, []);
                        }
                    },
                    Forget);
                _interrupts.Add(interrupts);
                return interrupts;
            }
            catch
            {
                foreach (SafeFileHandle? fd in fds)
                {
                    fd?.Dispose();
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Turns interrupts off, closes the config map and the device, then the group and container (which removes every
    /// IOMMU mapping left). Maps of regions stay valid until disposed. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        VfioInterrupts[] interrupts;
        lock (_lock)
        {
            interrupts = [.. _interrupts];
        }

        foreach (VfioInterrupts i in interrupts)
        {
            i.Dispose();
        }

        _disposed = true;
        _config?.Dispose();
        _device.Dispose();
        _container.Dispose();
    }

    internal void Forget(VfioInterrupts interrupts)
    {
        lock (_lock)
        {
            _ = _interrupts.Remove(interrupts);
        }
    }

    internal unsafe void SetIrqs(VfioIrqKind kind, uint flags, uint start, uint count, ReadOnlySpan<int> eventFds)
    {
        int size = sizeof(VfioNative.IrqSet) + (eventFds.Length * sizeof(int));
        byte[] buffer = new byte[size];
        var header = new VfioNative.IrqSet { ArgSize = (uint)size, Flags = flags, Index = (uint)kind, Start = start, Count = count };
        fixed (byte* p = buffer)
        {
            // SAFETY: buffer holds the 20-byte header plus one int per eventfd, argsz says exactly that, and the kernel only reads it.
            *(VfioNative.IrqSet*)p = header;
            for (int i = 0; i < eventFds.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(sizeof(VfioNative.IrqSet) + (i * 4)), eventFds[i]);
            }

            bool added = false;
            try
            {
                _device.DangerousAddRef(ref added);
                if (VfioNative.Ioctl((int)_device.DangerousGetHandle(), VfioNative.DeviceSetIrqs, p) != 0)
                {
                    throw VfioErrors.ForIoctl($"VFIO_DEVICE_SET_IRQS({kind}, flags 0x{flags:x}, count {count})", Address, LibC.LastError);
                }
            }
            finally
            {
                if (added)
                {
                    _device.DangerousRelease();
                }
            }
        }
    }

    /// <summary>
    /// The PCI address <paramref name="selector"/> names: an address is checked and normalized by
    /// <see cref="PciDevices.Find"/>; a <c>vvvv:dddd</c> id must match exactly one device.
    /// </summary>
    internal static string ResolveAddress(string selector, string sysfsRoot)
    {
        string s = VfioDeviceName.Normalize(selector);
        if (VfioDeviceName.TryParseId(s, out ushort vendor, out ushort device))
        {
            string[] matches = [.. PciDevices.Enumerate(sysfsRoot).Where(d => d.VendorId == vendor && d.DeviceId == device).Select(d => d.Address)];
            return matches.Length switch
            {
                1 => matches[0],
                0 => throw new FileNotFoundException($"No PCI device {s} is present under '{sysfsRoot}'. List devices with `lspci -Dnn`.", s),
                _ => throw new ArgumentException(
                    $"{matches.Length} PCI devices match {s}: {string.Join(", ", matches)}. Name one by its address.", nameof(selector)),
            };
        }

        return PciDevices.Find(s, sysfsRoot).Address;
    }

    /// <summary>The device's IOMMU group, after checking it has one and is bound to vfio-pci.</summary>
    internal static int CheckBinding(string address, string sysfsRoot)
    {
        string dir = Path.Join(sysfsRoot, "bus", "pci", "devices", address);
        if (PciBinding.IommuGroupOf(dir) is not { } number)
        {
            throw new VfioException(
                $"{address} has no IOMMU group ('{dir}/iommu_group' is missing): the IOMMU is off or absent. Enable it on the kernel command line " +
                "(x86: intel_iommu=on or amd_iommu=on; arm64: an SMMU in the firmware tables; QEMU: -device intel-iommu or -M virt,iommu=smmuv3). " +
                "Without an IOMMU, use UIO with PinnedPhysicalBuffer (the device can then reach all of RAM).");
        }

        string? driver = Sysfs.LinkName(Path.Join(dir, "driver"));
        if (driver != "vfio-pci")
        {
            throw new VfioException(
                $"{address} is bound to {(driver is null ? "no driver" : $"'{driver}'")}, not vfio-pci: {VfioErrors.BindHint.Replace("ADDR", address, StringComparison.Ordinal)}.");
        }

        return number;
    }

    /// <summary>Every device of IOMMU group <paramref name="group"/> with its driver, and what to do, for the not-viable error.</summary>
    internal static string DescribeGroup(int group, string sysfsRoot)
    {
        List<PciGroupMember> members;
        try
        {
            members = PciBinding.ListGroup(sysfsRoot, group);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Its members could not be listed ('{PciBinding.GroupDirectory(sysfsRoot, group)}').";
        }

        var text = new StringBuilder($"Group {group} holds: ");
        var blocking = new List<string>();
        for (int i = 0; i < members.Count; i++)
        {
            (string address, string? driver) = (members[i].Address, members[i].Driver);
            text.Append(i == 0 ? "" : ", ").Append(address).Append(" (").Append(driver ?? "no driver").Append(')');
            // pci-stub and pcieport (the bridge driver) claim no DMA: the kernel lets them share a viable group.
            if (driver is not null and not "vfio-pci" and not "pci-stub" and not "pcieport")
            {
                blocking.Add(address);
            }
        }

        text.Append(blocking.Count == 0 ? "." : $". Bind {string.Join(" and ", blocking)} to vfio-pci too, or unbind {(blocking.Count == 1 ? "it" : "them")}.");
        return text.ToString();
    }

    private static unsafe SafeFileHandle GetDeviceFd(VfioType1Container container, string address)
    {
        byte[] name = Encoding.ASCII.GetBytes(address + "\0");
        int fd;
        fixed (byte* p = name)
        {
            // SAFETY: p is the pinned NUL-terminated address; the kernel reads it up to the NUL.
            fd = VfioNative.Ioctl((int)container.Group.DangerousGetHandle(), VfioNative.GroupGetDeviceFd, p);
        }

        if (fd < 0)
        {
            throw VfioErrors.ForIoctl($"VFIO_GROUP_GET_DEVICE_FD({address})", container.GroupPath, LibC.LastError);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static unsafe VfioDeviceInfo QueryInfo(SafeFileHandle device, string address, int group)
    {
        int fd = (int)device.DangerousGetHandle();
        var info = new VfioNative.DeviceInfo { ArgSize = (uint)sizeof(VfioNative.DeviceInfo) };
        // SAFETY: each argument is a local of exactly its argsz; the kernel writes at most argsz bytes.
        if (VfioNative.Ioctl(fd, VfioNative.DeviceGetInfo, &info) != 0)
        {
            throw VfioErrors.ForIoctl("VFIO_DEVICE_GET_INFO", address, LibC.LastError);
        }

        var regions = new VfioRegionInfo[Math.Min(info.NumRegions, MaxRegions)];
        for (int i = 0; i < regions.Length; i++)
        {
            var r = new VfioNative.RegionInfo { ArgSize = (uint)sizeof(VfioNative.RegionInfo), Index = (uint)i };
            // SAFETY: as above.
            if (VfioNative.Ioctl(fd, VfioNative.DeviceGetRegionInfo, &r) != 0)
            {
                // A region index the device does not implement (e.g. VGA) is reported as absent.
                regions[i] = new VfioRegionInfo(i, VfioRegionAccess.None, 0, 0);
                continue;
            }

            regions[i] = new VfioRegionInfo(i, (VfioRegionAccess)r.Flags, r.Size, r.Offset);
        }

        var irqs = new VfioIrqInfo[Math.Min(info.NumIrqs, MaxIrqs)];
        for (int i = 0; i < irqs.Length; i++)
        {
            var q = new VfioNative.IrqInfo { ArgSize = (uint)sizeof(VfioNative.IrqInfo), Index = (uint)i };
            // SAFETY: as above.
            bool ok = VfioNative.Ioctl(fd, VfioNative.DeviceGetIrqInfo, &q) == 0;
            irqs[i] = new VfioIrqInfo((VfioIrqKind)i, ok ? (VfioIrqFeatures)q.Flags : VfioIrqFeatures.None, ok ? (int)Math.Min(q.Count, int.MaxValue) : 0);
        }

        return new VfioDeviceInfo(address, (VfioDeviceCapabilities)info.Flags, regions, irqs, group);
    }

    private VfioRegionInfo RegionOrThrow(int index)
    {
        if (index < 0 || index >= Info.Regions.Count || !Info.Regions[index].IsPresent)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index,
                $"{Address} has no region {index} (it reports {Info.Regions.Count} regions; present: {string.Join(", ", Info.Regions.Where(r => r.IsPresent).Select(r => r.Index))}).");
        }

        VfioRegionInfo region = Info.Regions[index];
        if (region.Size > long.MaxValue / 2 || region.Offset > long.MaxValue / 2)
        {
            throw new VfioException($"Region {index} of {Address} reports size 0x{region.Size:x} at offset 0x{region.Offset:x}, beyond what can be mapped.");
        }

        return region;
    }

    private void UpdateCommand(PciCommand bit, bool on)
    {
        IoSysMap config = Config;
        ushort now = config.Read16(PciConfigSpace.CommandOffset);
        ushort next = on ? (ushort)(now | (ushort)bit) : (ushort)(now & ~(ushort)bit);
        if (next != now)
        {
            config.Write16(PciConfigSpace.CommandOffset, next);
        }
    }

    /// <summary>The kernel's reset methods for the device (sysfs <c>reset_method</c>), or null when unreadable (kernels before 5.15 lack it).</summary>
    private string? ResetMethods()
    {
        try
        {
            return Sysfs.ReadText(Path.Join(_options.SysfsRoot, "bus", "pci", "devices", Address, "reset_method"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private int ResetCore()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool added = false;
        try
        {
            _device.DangerousAddRef(ref added);
            return VfioNative.Ioctl((int)_device.DangerousGetHandle(), VfioNative.DeviceReset, 0) == 0 ? 0 : LibC.LastError;
        }
        finally
        {
            if (added)
            {
                _device.DangerousRelease();
            }
        }
    }
}
