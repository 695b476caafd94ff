using System.Globalization;

namespace IoSys.Simulation;

/// <summary>What a device may do with memory mapped through a <see cref="SimulatedIommu"/> (the IOMMU page's permission bits).</summary>
[Flags]
public enum IommuPermissions
{
    /// <summary>Nothing: every DMA to the range faults.</summary>
    None = 0,

    /// <summary>The device may read the memory (a DMA to the device, e.g. edu's RAM-to-buffer transfer).</summary>
    Read = 1,

    /// <summary>The device may write the memory (a DMA from the device, e.g. edu's buffer-to-RAM transfer).</summary>
    Write = 2,

    /// <summary>Both.</summary>
    ReadWrite = Read | Write,
}

/// <summary>One mapping of a <see cref="SimulatedIommu"/>: a device address range and the system memory behind it.</summary>
/// <param name="deviceAddress">The first device address (IOVA) of the range, page-aligned.</param>
/// <param name="memory">The system memory the range reaches.</param>
/// <param name="permissions">What the device may do there.</param>
public sealed class SimulatedIommuMapping(ulong deviceAddress, IoSysMap memory, IommuPermissions permissions)
{
    /// <summary>The first device address (IOVA) of the range, page-aligned.</summary>
    public ulong DeviceAddress { get; } = deviceAddress;

    /// <summary>The system memory the range reaches; its <see cref="IoSysMap.Size"/> is the range's length in bytes.</summary>
    public IoSysMap Memory { get; } = memory;

    /// <summary>What the device may do there.</summary>
    public IommuPermissions Permissions { get; } = permissions;

    /// <summary>The range's length in bytes.</summary>
    public long Length => Memory.Size;
}

/// <summary>
/// A DMA the IOMMU refused, as the kernel's IOMMU drivers log it (Intel's <c>DMAR: [DMA Write] Request device [00:02.0]
/// fault addr 0x200000 ... PTE Write access is not set</c>, ARM's SMMU event lines): which device, which direction, where
/// and how much.
/// </summary>
/// <param name="device">The device that made the DMA.</param>
/// <param name="direction">Write when the device wrote memory, Read when it read it.</param>
/// <param name="deviceAddress">The first faulting device address.</param>
/// <param name="length">The transfer's length in bytes.</param>
/// <param name="reason">Why.</param>
public sealed class SimulatedIommuFault(string device, AccessDirection direction, ulong deviceAddress, long length, string reason)
{
    /// <summary>The device that made the DMA, e.g. <c>edu</c>.</summary>
    public string Device { get; } = device;

    /// <summary><see cref="AccessDirection.Write"/> when the device wrote memory, <see cref="AccessDirection.Read"/> when it read it.</summary>
    public AccessDirection Direction { get; } = direction;

    /// <summary>The first faulting device address (IOVA).</summary>
    public ulong DeviceAddress { get; } = deviceAddress;

    /// <summary>The transfer's length in bytes.</summary>
    public long Length { get; } = length;

    /// <summary>Why, in words: no mapping, or the mapping lacks the permission.</summary>
    public string Reason { get; } = reason;

    /// <summary>The fault as one log line, e.g. <c>IOMMU: [DMA Write] device [edu] fault addr 0x200000 (256 bytes): not mapped</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"IOMMU: [DMA {(Direction == AccessDirection.Write ? "Write" : "Read")}] device [{Device}] fault addr 0x{DeviceAddress:x} ({Length} bytes): {Reason}");
}

/// <summary>
/// A model of an IOMMU in front of one simulated device: device addresses (IOVAs) are mapped, page by page, to system
/// memory with read/write permissions, and every DMA the device makes is translated through it. A DMA to an address
/// with no mapping, or without the permission its direction needs, is refused: it reaches no memory, and the fault is
/// recorded in <see cref="Faults"/> and raised as <see cref="FaultReported"/>. The driver side maps and unmaps, as a
/// VFIO driver does with <c>VFIO_IOMMU_MAP_DMA</c>/<c>UNMAP_DMA</c>.
/// </summary>
/// <remarks>
/// As VFIO type1, a mapping is removed only as a whole (by its first address), and mappings cannot overlap. A transfer
/// must lie within one mapping: one that runs off its end is refused in full, where hardware would move the pages
/// before the first faulting one (<see cref="SimulatedIommuFault.DeviceAddress"/> still names that first faulting
/// address). Thread-safe.
/// </remarks>
/// <example>
/// <code>
/// var iommu = new SimulatedIommu();
/// using var edu = new EduDevice(new EduDeviceOptions { Iommu = iommu });
/// using IoSysMap buffer = IoSysMap.Allocate(4096);
/// ulong iova = iommu.Map(buffer, IommuPermissions.ReadWrite);   // program iova into the device
/// iommu.Unmap(iova);                                          // from now on a DMA there faults and changes nothing
/// </code>
/// </example>
public sealed class SimulatedIommu
{
    /// <summary>The IOMMU's page size in bytes: device addresses of mappings are multiples of it.</summary>
    public const long PageSize = 4096;

    private readonly object _lock = new();
    private readonly List<SimulatedIommuMapping> _mappings = [];
    private readonly List<SimulatedIommuFault> _faults = [];
    private ulong _next;

    /// <summary>Creates an IOMMU with no mappings.</summary>
    /// <param name="firstDeviceAddress">Where <see cref="Map(IoSysMap, IommuPermissions)"/> places its first mapping; a multiple of
    /// <see cref="PageSize"/>. Default 1 MiB (not 0, so a zeroed address register never hits a mapping).</param>
    /// <exception cref="ArgumentException"><paramref name="firstDeviceAddress"/> is not page-aligned.</exception>
    public SimulatedIommu(ulong firstDeviceAddress = 0x10_0000)
    {
        if (firstDeviceAddress % PageSize != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The first device address 0x{firstDeviceAddress:x} is not a multiple of the {PageSize}-byte IOMMU page."), nameof(firstDeviceAddress));
        }

        _next = firstDeviceAddress;
    }

    /// <summary>Raised (on the device's thread, after the fault is recorded) for every refused DMA.</summary>
    public event EventHandler<SimulatedIommuFault>? FaultReported;

    /// <summary>The current mappings, by device address.</summary>
    public IReadOnlyList<SimulatedIommuMapping> Mappings
    {
        get
        {
            lock (_lock)
            {
                return [.. _mappings.OrderBy(static m => m.DeviceAddress)];
            }
        }
    }

    /// <summary>Every refused DMA, oldest first.</summary>
    public IReadOnlyList<SimulatedIommuFault> Faults
    {
        get
        {
            lock (_lock)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>
    /// Maps <paramref name="memory"/> at the next free page-aligned device address, leaving one unmapped page after
    /// the previous mapping so that a transfer running past a buffer faults instead of landing in the next one.
    /// </summary>
    /// <param name="memory">System memory (not I/O memory), not disposed, at least 1 byte.</param>
    /// <param name="permissions">What the device may do with it.</param>
    /// <returns>The device address of <paramref name="memory"/>'s first byte.</returns>
    /// <exception cref="ArgumentException"><paramref name="memory"/> is I/O memory, empty or disposed.</exception>
    public ulong Map(IoSysMap memory, IommuPermissions permissions)
    {
        ArgumentNullException.ThrowIfNull(memory);
        lock (_lock)
        {
            ulong address = _next;
            Map(address, memory, permissions);
            return address;
        }
    }

    /// <summary>Maps <paramref name="memory"/> at <paramref name="deviceAddress"/>.</summary>
    /// <param name="deviceAddress">The device address of the first byte; a multiple of <see cref="PageSize"/>.</param>
    /// <param name="memory">System memory (not I/O memory), not disposed, at least 1 byte; the mapping is exactly its size.</param>
    /// <param name="permissions">What the device may do with it.</param>
    /// <exception cref="ArgumentException"><paramref name="deviceAddress"/> is not page-aligned or the range wraps past 2^64;
    /// <paramref name="memory"/> is I/O memory, empty or disposed.</exception>
    /// <exception cref="InvalidOperationException">The range overlaps an existing mapping (named in the message).</exception>
    public void Map(ulong deviceAddress, IoSysMap memory, IommuPermissions permissions)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (deviceAddress % PageSize != 0)
        {
            throw new ArgumentException(Hex($"Device address 0x{deviceAddress:x} is not a multiple of the {PageSize}-byte IOMMU page."), nameof(deviceAddress));
        }

        if (memory.IsDisposed || memory.IsNull || memory.Size == 0 || memory.IsIoMem)
        {
            throw new ArgumentException("An IOMMU maps system memory of at least 1 byte that is not disposed; this map is " +
                (memory.IsDisposed ? "disposed." : memory.IsIoMem ? "I/O memory." : "empty."), nameof(memory));
        }

        ulong pages = ((ulong)memory.Size + PageSize - 1) / PageSize * PageSize;
        if (deviceAddress > ulong.MaxValue - pages)
        {
            throw new ArgumentException(Hex($"A {memory.Size}-byte mapping at device address 0x{deviceAddress:x} runs past the end of the address space."), nameof(deviceAddress));
        }

        lock (_lock)
        {
            // Overlap is judged in whole pages, as the IOMMU's page tables are.
            foreach (SimulatedIommuMapping m in _mappings)
            {
                ulong mEnd = m.DeviceAddress + (((ulong)m.Length + PageSize - 1) / PageSize * PageSize);
                if (deviceAddress < mEnd && m.DeviceAddress < deviceAddress + pages)
                {
                    throw new InvalidOperationException(Hex(
                        $"Device addresses [0x{deviceAddress:x}, 0x{deviceAddress + pages:x}) overlap the mapping at [0x{m.DeviceAddress:x}, 0x{mEnd:x}); unmap it first."));
                }
            }

            _mappings.Add(new SimulatedIommuMapping(deviceAddress, memory, permissions));
            _next = Math.Max(_next, deviceAddress + pages + PageSize);
        }
    }

    /// <summary>Removes the mapping that starts at <paramref name="deviceAddress"/>; the memory itself is untouched and stays the caller's.</summary>
    /// <param name="deviceAddress">The first device address of a mapping, as given to or returned by <c>Map</c>.</param>
    /// <returns>True if a mapping started there; false if none did (nothing changes).</returns>
    public bool Unmap(ulong deviceAddress)
    {
        lock (_lock)
        {
            return _mappings.RemoveAll(m => m.DeviceAddress == deviceAddress) > 0;
        }
    }

    /// <summary>
    /// Translates a DMA of <paramref name="length"/> bytes at <paramref name="deviceAddress"/>, as the device's bus
    /// does before each transfer. On success the transfer may use <paramref name="memory"/>; on failure the fault is
    /// recorded and reported, and the transfer must touch nothing.
    /// </summary>
    /// <param name="device">The device's name, for the fault line.</param>
    /// <param name="direction"><see cref="AccessDirection.Write"/> when the device writes memory, <see cref="AccessDirection.Read"/> when it reads it.</param>
    /// <param name="deviceAddress">The first device address.</param>
    /// <param name="length">Bytes; at least 1.</param>
    /// <param name="memory">A window of exactly the range, in the mapping's memory; <see cref="IoSysMap.Null"/> on failure. Dispose it after use.</param>
    /// <returns>True if one mapping covers the whole range with the permission the direction needs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive.</exception>
    public bool TryTranslate(string device, AccessDirection direction, ulong deviceAddress, long length, out IoSysMap memory)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        IommuPermissions needed = direction == AccessDirection.Write ? IommuPermissions.Write : IommuPermissions.Read;
        SimulatedIommuFault fault;
        lock (_lock)
        {
            SimulatedIommuMapping? hit = _mappings.Find(m => deviceAddress >= m.DeviceAddress && deviceAddress - m.DeviceAddress < (ulong)m.Length);
            if (hit is null)
            {
                fault = new(device, direction, deviceAddress, length, "not mapped");
            }
            else if ((hit.Permissions & needed) == 0)
            {
                fault = new(device, direction, deviceAddress, length,
                    $"the mapping at 0x{hit.DeviceAddress.ToString("x", CultureInfo.InvariantCulture)} does not permit device {(needed == IommuPermissions.Write ? "writes" : "reads")}");
            }
            else if ((ulong)hit.Length - (deviceAddress - hit.DeviceAddress) < (ulong)length)
            {
                ulong end = hit.DeviceAddress + (ulong)hit.Length;
                fault = new(device, direction, end, length, Hex($"the transfer from 0x{deviceAddress:x} runs past the end of its mapping; not mapped"));
            }
            else if (hit.Memory.IsDisposed)
            {
                fault = new(device, direction, deviceAddress, length, "the mapped memory was freed while still mapped (a driver bug); refused");
            }
            else
            {
                memory = hit.Memory.Slice((long)(deviceAddress - hit.DeviceAddress), length);
                return true;
            }

            _faults.Add(fault);
        }

        FaultReported?.Invoke(this, fault);
        memory = IoSysMap.Null;
        return false;
    }

    /// <summary>Forgets the recorded <see cref="Faults"/>.</summary>
    public void ClearFaults()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    private static string Hex(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
