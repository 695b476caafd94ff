using static IoSys.Devices.Edu.EduRegisters;
using Edu = IoSys.Devices.Edu.EduRegisterBlock;

namespace IoSys.Simulation.Tests;

/// <summary>The simulated IOMMU alone, and edu's DMA through it.</summary>
public sealed class IommuTests : IDisposable
{
    private const uint IrqDma = 0x100; // edu.rst, written out.
    private const ulong Start = 0x1, ToRam = 0x2, IrqOnDone = 0x4;

    private readonly ManualClock _clock = new();
    private readonly SimulatedIommu _iommu = new();
    private readonly EduDevice _edu;
    private readonly IoSysMap _map;
    private readonly List<SimulatedIommuFault> _reported = [];

    public IommuTests()
    {
        _edu = new EduDevice(new EduDeviceOptions { Time = _clock, DmaTime = TimeSpan.FromMilliseconds(100), DmaMask = ulong.MaxValue, Iommu = _iommu });
        _map = _edu.Map;
        _iommu.FaultReported += (_, f) => _reported.Add(f);
    }

    public void Dispose() => _edu.Dispose();

    private void Dma(ulong ram, long deviceOffset, ulong count, bool toRam, bool irq = true)
    {
        ulong device = DmaBufferAddress + (ulong)deviceOffset;
        _map.Write64(Edu.DmaSource.Offset, toRam ? device : ram);
        _map.Write64(Edu.DmaDestination.Offset, toRam ? ram : device);
        _map.Write64(Edu.DmaCount.Offset, count);
        _map.Write64(Edu.DmaCommand.Offset, Start | (toRam ? ToRam : 0) | (irq ? IrqOnDone : 0));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Mapped_buffers_take_dma_both_ways_at_their_device_address()
    {
        using IoSysMap ram = IoSysMap.Allocate(8192);
        ulong iova = _iommu.Map(ram, IommuPermissions.ReadWrite);
        Assert.Equal(0x10_0000UL, iova);
        byte[] data = [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 3 + 1))];
        ram.WriteBytes(0x1000, data);
        Dma(iova + 0x1000, 0x20, 100, toRam: false);
        Dma(iova + 0x10, 0x20, 100, toRam: true);
        var back = new byte[100];
        ram.ReadBytes(0x10, back);
        Assert.Equal(data, back);
        Assert.Empty(_iommu.Faults);
        Assert.Empty(_edu.Faults);
    }

    [Fact]
    public void A_dma_to_an_unmapped_address_changes_nothing_and_is_reported_with_address_direction_and_length()
    {
        using IoSysMap ram = IoSysMap.Allocate(4096);
        ulong iova = _iommu.Map(ram, IommuPermissions.ReadWrite);
        _edu.DmaBuffer.Fill(0, 256, 0xee);
        ram.Fill(0, 4096, 0x5a);
        Assert.True(_iommu.Unmap(iova));
        Assert.False(_iommu.Unmap(iova)); // Already gone.

        Dma(iova, 0, 256, toRam: true);

        var after = new byte[4096];
        ram.ReadBytes(0, after);
        Assert.All(after, b => Assert.Equal(0x5a, b));
        SimulatedIommuFault fault = Assert.Single(_iommu.Faults);
        Assert.Equal(("edu", AccessDirection.Write, iova, 256L), (fault.Device, fault.Direction, fault.DeviceAddress, fault.Length));
        Assert.Equal("IOMMU: [DMA Write] device [edu] fault addr 0x100000 (256 bytes): not mapped", fault.ToString());
        Assert.Equal([fault], _reported);
        // edu does not know: as QEMU's edu_dma_timer, it ends the command and raises the DMA interrupt anyway.
        Assert.False(_edu.IsDmaRunning);
        Assert.Equal(IrqDma, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.True(_edu.Interrupt.IsAsserted);
        Assert.Empty(_edu.Faults);
    }

    [Fact]
    public void Permissions_follow_the_direction_a_read_only_mapping_refuses_device_writes()
    {
        using IoSysMap toDevice = IoSysMap.Allocate(4096);
        using IoSysMap fromDevice = IoSysMap.Allocate(4096);
        ulong readable = _iommu.Map(toDevice, IommuPermissions.Read);
        ulong writable = _iommu.Map(fromDevice, IommuPermissions.Write);
        toDevice.Fill(0, 64, 0x11);
        fromDevice.Fill(0, 4096, 0x22);
        _edu.DmaBuffer.Fill(0, 64, 0x33);

        Dma(readable, 0, 64, toRam: true, irq: false);      // Device writes a read-only page: refused.
        Assert.Equal(0x11, toDevice.Read8(0));
        Dma(writable, 0, 64, toRam: false, irq: false);     // Device reads a write-only page: refused.
        Assert.Equal(0x22, fromDevice.Read8(0));
        // QEMU's edu gets zeros from a refused read (unassigned memory reads 0), so its buffer now holds them.
        Assert.Equal(0, _edu.DmaBuffer.Read8(0));

        Assert.Collection(_iommu.Faults,
            f => Assert.Equal((AccessDirection.Write, readable), (f.Direction, f.DeviceAddress)),
            f => Assert.Equal((AccessDirection.Read, writable), (f.Direction, f.DeviceAddress)));
        Assert.Contains("does not permit device writes", _iommu.Faults[0].Reason, StringComparison.Ordinal);
        Assert.Contains("does not permit device reads", _iommu.Faults[1].Reason, StringComparison.Ordinal);

        Dma(readable, 0, 64, toRam: false, irq: false);     // The allowed directions work.
        Assert.Equal(0x11, _edu.DmaBuffer.Read8(0));
        Dma(writable, 0, 64, toRam: true, irq: false);
        Assert.Equal(0x11, fromDevice.Read8(63));
        Assert.Equal(2, _iommu.Faults.Count);
    }

    [Fact]
    public void A_transfer_that_runs_past_its_mapping_is_refused_in_full_and_names_the_first_unmapped_address()
    {
        using IoSysMap a = IoSysMap.Allocate(4096);
        using IoSysMap b = IoSysMap.Allocate(4096);
        ulong first = _iommu.Map(a, IommuPermissions.ReadWrite);
        ulong second = _iommu.Map(b, IommuPermissions.ReadWrite);
        Assert.Equal(first + 0x2000, second); // One unmapped guard page between them.
        a.Fill(0, 4096, 1);
        Dma(first + 4000, 0, 200, toRam: true, irq: false);
        Assert.All(Enumerable.Range(0, 4096), i => Assert.Equal(1, a.Read8(i)));
        SimulatedIommuFault fault = Assert.Single(_iommu.Faults);
        Assert.Equal(first + 4096, fault.DeviceAddress);
    }

    [Fact]
    public void Map_refuses_misaligned_overlapping_io_memory_and_disposed_buffers()
    {
        using IoSysMap ram = IoSysMap.Allocate(4096);
        Assert.Throws<ArgumentException>(() => _iommu.Map(0x1234, ram, IommuPermissions.Read));
        Assert.Throws<ArgumentException>(() => _iommu.Map(ulong.MaxValue - 4095, ram, IommuPermissions.Read));
        _iommu.Map(0x20_0000, ram, IommuPermissions.Read);
        InvalidOperationException overlap = Assert.Throws<InvalidOperationException>(() => _iommu.Map(0x20_0000, ram, IommuPermissions.Read));
        Assert.Contains("0x200000", overlap.Message, StringComparison.Ordinal);
        using IoSysMap io = IoSysMap.Allocate(4096, IoMapOptions.IoMemory);
        Assert.Throws<ArgumentException>(() => _iommu.Map(io, IommuPermissions.Read));
        IoSysMap gone = IoSysMap.Allocate(4096);
        gone.Dispose();
        Assert.Throws<ArgumentException>(() => _iommu.Map(gone, IommuPermissions.Read));
        Assert.Throws<ArgumentException>(() => new SimulatedIommu(0x10));
        Assert.Single(_iommu.Mappings);
    }

    [Fact]
    public void Memory_freed_while_still_mapped_is_refused_not_touched()
    {
        IoSysMap ram = IoSysMap.Allocate(4096);
        ulong iova = _iommu.Map(ram, IommuPermissions.ReadWrite);
        ram.Dispose();
        Dma(iova, 0, 16, toRam: true);
        Assert.Contains("freed", Assert.Single(_iommu.Faults).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_iommu_the_device_still_reaches_system_memory_by_bus_address()
    {
        using var plain = new EduDevice(new EduDeviceOptions { Time = _clock, DmaTime = TimeSpan.FromMilliseconds(1) });
        SimulatedDmaBuffer buffer = plain.SystemMemory.Allocate(4096);
        plain.DmaBuffer.Fill(0, 8, 0x77);
        plain.Map.Write64(Edu.DmaSource.Offset, DmaBufferAddress);
        plain.Map.Write64(Edu.DmaDestination.Offset, buffer.BusAddress);
        plain.Map.Write64(Edu.DmaCount.Offset, 8);
        plain.Map.Write64(Edu.DmaCommand.Offset, Start | ToRam);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0x7777_7777_7777_7777UL, buffer.Map.Read64(0));
    }
}
