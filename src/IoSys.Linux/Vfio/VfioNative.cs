using System.Runtime.InteropServices;

namespace IoSys.Linux.Vfio;

/// <summary>
/// The VFIO uapi (include/uapi/linux/vfio.h) as this library uses it: ioctl numbers, flags and argument layouts.
/// Every ioctl is <c>_IO(';', 100 + n)</c>: VFIO puts no size bits in its numbers (a binding that builds them with
/// <c>_IOW</c> gets ENOTTY). The layouts are the same on x86-64 and arm64 (fixed-width fields, natural alignment).
/// </summary>
internal static unsafe partial class VfioNative
{
    private const uint VfioType = ';';
    private const uint VfioBase = 100;

    /// <summary><c>_IO(';', 100 + n)</c>: direction and size bits are zero.</summary>
    public static nuint Io(uint n) => (nuint)((VfioType << 8) | (VfioBase + n));

    public static readonly nuint GetApiVersion = Io(0);
    public static readonly nuint CheckExtension = Io(1);
    public static readonly nuint SetIommu = Io(2);
    public static readonly nuint GroupGetStatus = Io(3);
    public static readonly nuint GroupSetContainer = Io(4);
    public static readonly nuint GroupUnsetContainer = Io(5);
    public static readonly nuint GroupGetDeviceFd = Io(6);
    public static readonly nuint DeviceGetInfo = Io(7);
    public static readonly nuint DeviceGetRegionInfo = Io(8);
    public static readonly nuint DeviceGetIrqInfo = Io(9);
    public static readonly nuint DeviceSetIrqs = Io(10);
    public static readonly nuint DeviceReset = Io(11);
    public static readonly nuint IommuGetInfo = Io(12);
    public static readonly nuint IommuMapDma = Io(13);
    public static readonly nuint IommuUnmapDma = Io(14);

    public const int ApiVersion = 0;
    public const int Type1v2Iommu = 3;

    public const uint GroupFlagsViable = 1;
    public const uint GroupFlagsContainerSet = 2;

    public const uint IommuInfoPageSizes = 1;
    public const uint IommuInfoCaps = 2;
    public const ushort CapIovaRange = 1;
    public const ushort CapDmaAvailable = 3;

    public const uint DmaMapRead = 1;
    public const uint DmaMapWrite = 2;

    public const uint IrqSetDataNone = 1 << 0;
    public const uint IrqSetDataBool = 1 << 1;
    public const uint IrqSetDataEventFd = 1 << 2;
    public const uint IrqSetActionMask = 1 << 3;
    public const uint IrqSetActionUnmask = 1 << 4;
    public const uint IrqSetActionTrigger = 1 << 5;

    /// <summary>struct vfio_group_status (8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GroupStatus
    {
        public uint ArgSize;
        public uint Flags;
    }

    /// <summary>struct vfio_device_info (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DeviceInfo
    {
        public uint ArgSize;
        public uint Flags;
        public uint NumRegions;
        public uint NumIrqs;
        public uint CapOffset;
        public uint Pad;
    }

    /// <summary>struct vfio_region_info (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RegionInfo
    {
        public uint ArgSize;
        public uint Flags;
        public uint Index;
        public uint CapOffset;
        public ulong Size;
        public ulong Offset;
    }

    /// <summary>struct vfio_irq_info (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IrqInfo
    {
        public uint ArgSize;
        public uint Flags;
        public uint Index;
        public uint Count;
    }

    /// <summary>struct vfio_irq_set without its flexible <c>data</c> array (20 bytes; data follows at offset 20).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IrqSet
    {
        public uint ArgSize;
        public uint Flags;
        public uint Index;
        public uint Start;
        public uint Count;
    }

    /// <summary>struct vfio_iommu_type1_info (24 bytes); capabilities follow when the kernel asks for more room.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IommuType1Info
    {
        public uint ArgSize;
        public uint Flags;
        public ulong IovaPageSizes;
        public uint CapOffset;
        public uint Pad;
    }

    /// <summary>struct vfio_iommu_type1_dma_map (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DmaMap
    {
        public uint ArgSize;
        public uint Flags;
        public ulong VirtualAddress;
        public ulong Iova;
        public ulong Size;
    }

    /// <summary>struct vfio_iommu_type1_dma_unmap (24 bytes, without the flexible dirty-bitmap data).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DmaUnmap
    {
        public uint ArgSize;
        public uint Flags;
        public ulong Iova;
        public ulong Size;
    }

    /// <summary>struct rlimit on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>RLIMIT_MEMLOCK: 8 on x86-64 and in the generic ABI arm64 uses.</summary>
    public const int RLimitMemlock = 8;
    public const ulong RLimitInfinity = ulong.MaxValue;

    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;

    public const int MapPopulate = 0x8000;
    public const int MapHugeTlb = 0x40000;

    /// <summary>MAP_HUGE_2MB: log2(2 MiB) = 21 in the bits from MAP_HUGE_SHIFT (26).</summary>
    public const int MapHuge2Mb = 21 << 26;

    public const int ENOTTY = 25;
    public const int ENOSPC = 28;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    public static partial int MLock(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "munlock", SetLastError = true)]
    public static partial int MUnlock(nint address, nuint length);

    /// <summary>RLIMIT_MEMLOCK's soft limit in bytes, or null when unlimited or unreadable.</summary>
    public static ulong? MemlockLimit()
    {
        RLimit limit;
        // SAFETY: limit is a 16-byte local, the size of struct rlimit on 64-bit Linux, which is all getrlimit writes.
        if (GetRLimit(RLimitMemlock, &limit) != 0 || limit.Current == RLimitInfinity)
        {
            return null;
        }

        return limit.Current;
    }
}
