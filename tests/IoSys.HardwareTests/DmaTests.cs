using IoSys.Devices.Edu;

namespace IoSys.HardwareTests;

/// <summary>edu's DMA engine against guest RAM: RAM to the device's buffer and back, through the checked API.</summary>
internal static class DmaTests
{
    private const long DmaSource = EduRegisterBlock.DmaSource.Offset, DmaDestination = EduRegisterBlock.DmaDestination.Offset;
    private const long DmaCount = EduRegisterBlock.DmaCount.Offset, DmaCommand = EduRegisterBlock.DmaCommand.Offset;
    private const ulong DeviceBuffer = EduRegisters.DmaBufferAddress;
    private static readonly uint CommandStart = (uint)default(EduRegisterBlock.DmaCommand).WithStart(true).Raw;
    private static readonly uint CommandToRam = (uint)default(EduRegisterBlock.DmaCommand).WithDirection(EduDmaDirection.ToRam).Raw;
    // Not 4096: QEMU's edu refuses a transfer that ends exactly at its buffer's end (an off-by-one in its range
    // check) with hw_error, which aborts the whole VM.
    private const int Length = 4000;

    /// <summary>Pages to lock while looking for ones the device can reach.</summary>
    public const int SearchPages = 2048;

    public static void Register(Runner r, Guest guest)
    {
        r.Run("edu.dma.round-trip", () =>
        {
            string pci = guest.RequireEdu();
            using DmaMemory memory = OpenReachable(guest);
            DmaPage source = memory.Take(), destination = memory.Take();
            var pattern = new byte[Length];
            new Random(8).NextBytes(pattern);
            source.Map.WriteBytes(0, pattern);

            using IoSysMap edu = Guest.OpenEdu();
            ushort command = PciConfig.Update(pci, PciConfig.BusMaster, 0);
            try
            {
                Transfer(edu, source.BusAddress, DeviceBuffer, CommandStart);
                Transfer(edu, DeviceBuffer, destination.BusAddress, CommandStart | CommandToRam);
            }
            finally
            {
                if ((command & PciConfig.BusMaster) == 0)
                {
                    PciConfig.Update(pci, 0, PciConfig.BusMaster);
                }
            }

            var back = new byte[Length];
            destination.Map.ReadBytes(0, back);
            Check.Bytes(pattern, back, "RAM -> edu buffer -> RAM");
            Runner.Note($"DMA {Length} bytes: RAM 0x{source.BusAddress:x} -> edu 0x{DeviceBuffer:x} -> RAM 0x{destination.BusAddress:x}");
        });
    }

    /// <summary>Locked pages the edu can reach, or a skip that says why there are none.</summary>
    public static DmaMemory OpenReachable(Guest guest, ulong? limit = null)
    {
        ulong mask = Math.Min(guest.EduDmaMask, limit ?? ulong.MaxValue);
        DmaMemory memory = DmaMemory.Allocate(SearchPages, mask);
        if (memory.Available < 2)
        {
            (ulong low, ulong high) = memory.Seen;
            memory.Dispose();
            throw new SkipException(
                $"no guest RAM page within 0x{mask:x} (edu's DMA mask 0x{guest.EduDmaMask:x}; the default is 28 bits; locked pages were at 0x{low:x}-0x{high:x}); " +
                (mask < guest.EduDmaMask
                    ? "the edu sample driver accepts only 28-bit bus addresses"
                    : "start QEMU with -device edu,dma_mask=0xffffffffffffffff and pass IOSYS_EDU_DMA_MASK to test DMA here"));
        }

        return memory;
    }

    private static void Transfer(IoSysMap edu, ulong from, ulong to, uint command)
    {
        edu.Write64(DmaSource, from);
        edu.Write64(DmaDestination, to);
        edu.Write64(DmaCount, Length);
        edu.Write32(DmaCommand, command);
        edu.Poll<uint>(DmaCommand, c => (c & CommandStart) == 0, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(2));
    }
}
