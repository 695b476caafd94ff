namespace IoSys.Linux.Vfio;

/// <summary>What a VFIO region allows (<c>VFIO_REGION_INFO_FLAG_*</c>).</summary>
[Flags]
public enum VfioRegionAccess : uint
{
    /// <summary>No flag: the region is absent (size 0) or unusable.</summary>
    None = 0,

    /// <summary>The region can be read (pread on the device descriptor).</summary>
    Read = 1 << 0,

    /// <summary>The region can be written (pwrite).</summary>
    Write = 1 << 1,

    /// <summary>The region can be mmapped (whole or in the areas of a sparse-mmap capability).</summary>
    Mmap = 1 << 2,

    /// <summary>The region has capabilities (sparse mmap, type).</summary>
    Capabilities = 1 << 3,
}

/// <summary>What the device supports (<c>VFIO_DEVICE_FLAGS_*</c>).</summary>
[Flags]
public enum VfioDeviceCapabilities : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The device supports <c>VFIO_DEVICE_RESET</c> (see <see cref="VfioDevice.Reset"/>).</summary>
    Reset = 1 << 0,

    /// <summary>A PCI device (vfio-pci).</summary>
    Pci = 1 << 1,

    /// <summary>A platform device.</summary>
    Platform = 1 << 2,

    /// <summary>An ARM AMBA device.</summary>
    Amba = 1 << 3,

    /// <summary>The info carries capabilities.</summary>
    Capabilities = 1 << 7,
}

/// <summary>The interrupt kinds of a vfio-pci device: the VFIO IRQ index of each.</summary>
public enum VfioIrqKind
{
    /// <summary>The legacy level-triggered line (index 0); masked by the kernel at each interrupt until unmasked.</summary>
    Intx = 0,

    /// <summary>Message-signalled interrupts (index 1).</summary>
    Msi = 1,

    /// <summary>MSI-X (index 2).</summary>
    Msix = 2,

    /// <summary>PCIe error reporting (index 3).</summary>
    Error = 3,

    /// <summary>The kernel's request to release the device (index 4).</summary>
    Request = 4,
}

/// <summary>What an interrupt index supports (<c>VFIO_IRQ_INFO_*</c>).</summary>
[Flags]
public enum VfioIrqFeatures : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Signals through an eventfd.</summary>
    EventFd = 1 << 0,

    /// <summary>Can be masked and unmasked.</summary>
    Maskable = 1 << 1,

    /// <summary>The kernel masks it at each interrupt (INTx): unmask after servicing.</summary>
    AutoMasked = 1 << 2,

    /// <summary>The vector count cannot change once set up.</summary>
    NoResize = 1 << 3,
}

/// <summary>One region of a VFIO device: for vfio-pci, indices 0-5 are the BARs, 6 the ROM, 7 config space, 8 VGA.</summary>
/// <param name="Index">The region index.</param>
/// <param name="Access">What the region allows.</param>
/// <param name="Size">Its size in bytes (0 when absent).</param>
/// <param name="Offset">Where it starts in the device descriptor's file offsets, in bytes.</param>
/// <example>
/// <code>
/// VfioRegionInfo bar0 = device.Info.Regions[0];
/// Console.WriteLine($"BAR0: {bar0.Size} bytes, mmap: {bar0.Access.HasFlag(VfioRegionAccess.Mmap)}");
/// </code>
/// </example>
public sealed record VfioRegionInfo(int Index, VfioRegionAccess Access, ulong Size, ulong Offset)
{
    /// <summary>The expansion ROM region.</summary>
    public const int Rom = 6;

    /// <summary>The config-space region.</summary>
    public const int Config = 7;

    /// <summary>Whether the region exists (size above 0 and readable or writable).</summary>
    public bool IsPresent => Size != 0 && (Access & (VfioRegionAccess.Read | VfioRegionAccess.Write)) != 0;
}

/// <summary>One interrupt index of a VFIO device.</summary>
/// <param name="Kind">The index (for vfio-pci: INTx, MSI, MSI-X, error, request).</param>
/// <param name="Features">What it supports.</param>
/// <param name="Count">How many vectors it has (0 when the device lacks it).</param>
/// <example>
/// <code>
/// VfioIrqInfo msi = device.Info.Irqs[(int)VfioIrqKind.Msi];
/// Console.WriteLine($"MSI vectors: {msi.Count}");
/// </code>
/// </example>
public sealed record VfioIrqInfo(VfioIrqKind Kind, VfioIrqFeatures Features, int Count);

/// <summary>What <c>VFIO_DEVICE_GET_INFO</c> and the region and IRQ queries say about a device.</summary>
/// <param name="Address">The PCI address, e.g. <c>0000:00:02.0</c>.</param>
/// <param name="Capabilities">What the device supports.</param>
/// <param name="Regions">Every region, by index.</param>
/// <param name="Irqs">Every interrupt index, by index.</param>
/// <param name="IommuGroup">The IOMMU group number (<c>/dev/vfio/N</c>).</param>
/// <example>
/// <code>
/// VfioDeviceInfo info = device.Info;
/// Console.WriteLine($"{info.Address} group {info.IommuGroup}: {info.Regions.Count} regions, reset {info.SupportsReset}");
/// </code>
/// </example>
public sealed record VfioDeviceInfo(string Address, VfioDeviceCapabilities Capabilities, IReadOnlyList<VfioRegionInfo> Regions, IReadOnlyList<VfioIrqInfo> Irqs, int IommuGroup)
{
    /// <summary>Whether <see cref="VfioDevice.Reset"/> can work (<see cref="VfioDeviceCapabilities.Reset"/>).</summary>
    public bool SupportsReset => (Capabilities & VfioDeviceCapabilities.Reset) != 0;
}

/// <summary>How <see cref="VfioDevice.Open(string, VfioOpenOptions?)"/> finds and prepares the device.</summary>
/// <example>
/// <code>
/// var options = new VfioOpenOptions { DmaAddressBits = 28 }; // edu's default DMA mask
/// using var device = VfioDevice.Open("1234:11e8", options);
/// </code>
/// </example>
public sealed record VfioOpenOptions
{
    /// <summary>The sysfs mount point. Default: <c>/sys</c> (another root is for tests).</summary>
    public string SysfsRoot { get; init; } = "/sys";

    /// <summary>Where the <c>vfio</c> device nodes live. Default: <c>/dev</c>.</summary>
    public string DevRoot { get; init; } = "/dev";

    /// <summary>
    /// The device's DMA address width in bits (its DMA mask): every IOVA this device's buffers get lies below
    /// <c>2^DmaAddressBits</c>. Default: 32. QEMU's edu uses 28 unless started with a wider <c>dma_mask</c>.
    /// </summary>
    public int DmaAddressBits { get; init; } = 32;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A root is empty, or <see cref="DmaAddressBits"/> is outside 12..64.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(SysfsRoot);
        ArgumentException.ThrowIfNullOrEmpty(DevRoot);
        if (DmaAddressBits is < 12 or > 64)
        {
            throw new ArgumentException($"DmaAddressBits is {DmaAddressBits}: a device's DMA mask has 12 to 64 bits.", nameof(DmaAddressBits));
        }
    }
}
