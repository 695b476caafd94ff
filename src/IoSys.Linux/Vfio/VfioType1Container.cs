using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Vfio;

/// <summary>
/// The IOMMU side a device's DMA buffers are mapped through. One implementation today (the type1 container); the
/// interface is what a second backend (iommufd's IOAS) would implement, so that buffers, pools and devices do
/// not change.
/// </summary>
internal interface IVfioIommu
{
    /// <summary>The IOVA ranges the IOMMU translates.</summary>
    IReadOnlyList<IovaRange> IovaRanges { get; }

    /// <summary>The IOMMU page sizes (a bit per supported size).</summary>
    ulong PageSizes { get; }

    /// <summary>Maps <paramref name="size"/> bytes at <paramref name="virtualAddress"/> to <paramref name="iova"/>.</summary>
    void Map(nint virtualAddress, ulong iova, ulong size, VfioDmaDirection direction);

    /// <summary>Unmaps exactly one earlier mapping. Returns false when the descriptor is already closed (everything is unmapped then).</summary>
    bool Unmap(ulong iova, ulong size);
}

/// <summary>
/// A VFIO type1v2 container (<c>/dev/vfio/vfio</c>) with one group attached: the container/group API that Debian,
/// Ubuntu and RHEL kernels ship.
/// </summary>
internal sealed unsafe class VfioType1Container : IVfioIommu, IDisposable
{
    private readonly SafeFileHandle _container;
    private readonly SafeFileHandle _group;

    private VfioType1Container(SafeFileHandle container, SafeFileHandle group, string groupPath, IovaRange[] ranges, ulong pageSizes)
    {
        _container = container;
        _group = group;
        GroupPath = groupPath;
        IovaRanges = ranges;
        PageSizes = pageSizes;
    }

    public string GroupPath { get; }

    public IReadOnlyList<IovaRange> IovaRanges { get; }

    public ulong PageSizes { get; }

    public SafeFileHandle Group => _group;

    /// <summary>Opens the container, checks the API, attaches the group at <paramref name="groupPath"/> and sets type1v2.</summary>
    public static VfioType1Container Open(string containerPath, string groupPath, Func<string> describeGroup)
    {
        if (!File.Exists(containerPath))
        {
            throw new VfioException(
                $"'{containerPath}' does not exist: the vfio modules are not loaded. Load them with `modprobe vfio-pci` " +
                "(vfio, vfio_iommu_type1, vfio_pci_core and vfio_pci must be present in the kernel).");
        }

        SafeFileHandle container = NativeFile.OpenChecked(containerPath, LibC.O_RDWR, StatKinds.CharacterDevice, "the VFIO container", LinuxErrors.RootOrUdev);
        SafeFileHandle? group = null;
        try
        {
            int fd = (int)container.DangerousGetHandle();
            int version = VfioNative.Ioctl(fd, VfioNative.GetApiVersion, 0);
            if (version != VfioNative.ApiVersion)
            {
                throw new VfioException($"'{containerPath}' speaks VFIO API version {version}, not {VfioNative.ApiVersion}: not a VFIO container.", version < 0 ? LibC.LastError : 0);
            }

            if (VfioNative.Ioctl(fd, VfioNative.CheckExtension, VfioNative.Type1v2Iommu) <= 0)
            {
                throw new VfioException(
                    $"The kernel's VFIO has no type1v2 IOMMU: load vfio_iommu_type1 (`modprobe vfio_iommu_type1`) and check that an IOMMU is enabled.");
            }

            if (!File.Exists(groupPath))
            {
                throw new VfioException(
                    $"The IOMMU group node '{groupPath}' does not exist: the device is not bound to vfio-pci ({VfioErrors.BindHint}).");
            }

            group = NativeFile.OpenChecked(groupPath, LibC.O_RDWR, StatKinds.CharacterDevice, "the VFIO group",
                $"give your user the group node (e.g. `chown $USER {groupPath}` or a udev rule: SUBSYSTEM==\"vfio\", OWNER=\"you\")");
            int gfd = (int)group.DangerousGetHandle();
            var status = new VfioNative.GroupStatus { ArgSize = (uint)sizeof(VfioNative.GroupStatus) };
            // SAFETY: status is a local of exactly argsz bytes; the kernel writes at most argsz.
            if (VfioNative.Ioctl(gfd, VfioNative.GroupGetStatus, &status) != 0)
            {
                throw VfioErrors.ForIoctl("VFIO_GROUP_GET_STATUS", groupPath, LibC.LastError);
            }

            if ((status.Flags & VfioNative.GroupFlagsViable) == 0)
            {
                throw new VfioException(
                    $"The IOMMU group {groupPath} is not viable: every device in it must be bound to vfio-pci or to no driver. {describeGroup()}");
            }

            // SAFETY: the argument is a pointer to a 4-byte local holding the container descriptor, which the kernel reads.
            if (VfioNative.Ioctl(gfd, VfioNative.GroupSetContainer, &fd) != 0)
            {
                throw VfioErrors.ForIoctl("VFIO_GROUP_SET_CONTAINER", groupPath, LibC.LastError);
            }

            if (VfioNative.Ioctl(fd, VfioNative.SetIommu, VfioNative.Type1v2Iommu) != 0)
            {
                throw VfioErrors.ForIoctl("VFIO_SET_IOMMU(type1v2, IOMMU)", containerPath, LibC.LastError);
            }

            (IovaRange[] ranges, ulong pageSizes) = QueryInfo(fd, containerPath);
            return new VfioType1Container(container, group, groupPath, ranges, pageSizes);
        }
        catch
        {
            group?.Dispose();
            container.Dispose();
            throw;
        }
    }

    /// <summary>VFIO_IOMMU_GET_INFO with its capability chain, growing the buffer to what the kernel asks for.</summary>
    private static (IovaRange[] Ranges, ulong PageSizes) QueryInfo(int fd, string path)
    {
        int size = sizeof(VfioNative.IommuType1Info);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            byte[] buffer = new byte[size];
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)size);
            fixed (byte* p = buffer)
            {
                // SAFETY: the buffer is pinned and argsz (its first field) is its length, the most the kernel writes.
                if (VfioNative.Ioctl(fd, VfioNative.IommuGetInfo, p) != 0)
                {
                    throw VfioErrors.ForIoctl("VFIO_IOMMU_GET_INFO", path, LibC.LastError);
                }
            }

            uint wanted = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
            if (wanted > (uint)size && wanted <= 1 << 20)
            {
                size = (int)wanted;
                continue; // The capabilities did not fit: ask again with the size the kernel said.
            }

            return ParseInfo(buffer);
        }

        throw new VfioException($"VFIO_IOMMU_GET_INFO on {path} kept asking for a larger buffer.");
    }

    /// <summary>The ranges and page sizes of a filled <c>vfio_iommu_type1_info</c> buffer (no ranges capability: the whole 64-bit space).</summary>
    internal static (IovaRange[] Ranges, ulong PageSizes) ParseInfo(ReadOnlySpan<byte> buffer)
    {
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]);
        ulong pageSizes = (flags & VfioNative.IommuInfoPageSizes) != 0 ? BinaryPrimitives.ReadUInt64LittleEndian(buffer[8..]) : 4096;
        uint capOffset = BinaryPrimitives.ReadUInt32LittleEndian(buffer[16..]);
        IovaRange[] ranges = [new IovaRange(0, ulong.MaxValue)];
        if ((flags & VfioNative.IommuInfoCaps) != 0 && capOffset != 0)
        {
            foreach (VfioCapability cap in VfioCapabilities.Parse(buffer, capOffset, sizeof(VfioNative.IommuType1Info)))
            {
                if (cap.Id == VfioNative.CapIovaRange)
                {
                    ranges = VfioCapabilities.ParseIovaRanges(buffer, cap);
                }
            }
        }

        return (ranges, pageSizes == 0 ? 4096 : pageSizes);
    }

    public void Map(nint virtualAddress, ulong iova, ulong size, VfioDmaDirection direction)
    {
        var map = new VfioNative.DmaMap
        {
            ArgSize = (uint)sizeof(VfioNative.DmaMap),
            Flags = direction switch
            {
                VfioDmaDirection.ToDevice => VfioNative.DmaMapRead,
                VfioDmaDirection.FromDevice => VfioNative.DmaMapWrite,
                _ => VfioNative.DmaMapRead | VfioNative.DmaMapWrite,
            },
            VirtualAddress = (ulong)virtualAddress,
            Iova = iova,
            Size = size,
        };
        bool added = false;
        try
        {
            _container.DangerousAddRef(ref added);
            // SAFETY: map is a local of exactly argsz bytes; the kernel only reads it.
            if (VfioNative.Ioctl((int)_container.DangerousGetHandle(), VfioNative.IommuMapDma, &map) != 0)
            {
                int errno = LibC.LastError;
                if (errno == LibC.ENOMEM)
                {
                    throw new VfioException(
                        $"VFIO_IOMMU_MAP_DMA of {size} bytes at IOVA 0x{iova:x} failed: {LibC.Describe(errno)}; {VfioErrors.MemlockAdvice(size)}.", errno);
                }

                throw VfioErrors.ForIoctl($"VFIO_IOMMU_MAP_DMA of {size} bytes at IOVA 0x{iova:x}", GroupPath, errno);
            }
        }
        finally
        {
            if (added)
            {
                _container.DangerousRelease();
            }
        }
    }

    public bool Unmap(ulong iova, ulong size)
    {
        var unmap = new VfioNative.DmaUnmap { ArgSize = (uint)sizeof(VfioNative.DmaUnmap), Iova = iova, Size = size };
        bool added = false;
        try
        {
            _container.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false; // Closing the container already removed every mapping.
        }

        try
        {
            // SAFETY: unmap is a local of exactly argsz bytes; the kernel reads it and writes back the unmapped size.
            if (VfioNative.Ioctl((int)_container.DangerousGetHandle(), VfioNative.IommuUnmapDma, &unmap) != 0)
            {
                throw VfioErrors.ForIoctl($"VFIO_IOMMU_UNMAP_DMA of {size} bytes at IOVA 0x{iova:x}", GroupPath, LibC.LastError);
            }

            if (unmap.Size != size)
            {
                throw new VfioException($"VFIO_IOMMU_UNMAP_DMA at IOVA 0x{iova:x} unmapped {unmap.Size} bytes, not the {size} mapped.");
            }

            return true;
        }
        finally
        {
            _container.DangerousRelease();
        }
    }

    /// <summary>Closes the group, then the container (which removes every mapping that is left).</summary>
    public void Dispose()
    {
        _group.Dispose();
        _container.Dispose();
    }
}
