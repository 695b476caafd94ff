namespace IoSys.Simulation;

/// <summary>
/// The register map of QEMU's <c>edu</c> device (PCI 1234:11e8, BAR0, 1 MiB; QEMU <c>docs/specs/edu.rst</c>), in one
/// place for the simulated device and for drivers. Offsets are in bytes from the start of BAR0.
/// </summary>
public static class EduRegisters
{
    /// <summary>PCI vendor id of <c>edu</c>.</summary>
    public const ushort VendorId = 0x1234;

    /// <summary>PCI device id of <c>edu</c>.</summary>
    public const ushort DeviceId = 0x11e8;

    /// <summary>Size of BAR0 in bytes (1 MiB).</summary>
    public const long BarSize = 0x10_0000;

    /// <summary>End of the range <c>[0, ControlEnd)</c> that accepts 4-byte accesses only; above it, 4 or 8 bytes.</summary>
    public const long ControlEnd = 0x80;

    /// <summary>Identification (RO, 4 bytes): <c>0xRRrr00ed</c>, RR major and rr minor version.</summary>
    public const long Identification = 0x00;

    /// <summary>Liveness check (RW, 4 bytes): reads back the bitwise inverse of the last value written.</summary>
    public const long Liveness = 0x04;

    /// <summary>Factorial (RW, 4 bytes): write n to start computing n! (32-bit, wrapping); read it once
    /// <see cref="StatusComputing"/> is clear. Writes while computing are ignored.</summary>
    public const long Factorial = 0x08;

    /// <summary>Status (RW, 4 bytes): <see cref="StatusComputing"/> (RO) and <see cref="StatusIrqOnFactorial"/>.</summary>
    public const long Status = 0x20;

    /// <summary>Interrupt status (RO, 4 bytes): the raised interrupt bits (<see cref="IrqFactorial"/>, <see cref="IrqDma"/>, others raised by software).</summary>
    public const long InterruptStatus = 0x24;

    /// <summary>Interrupt raise (WO, 4 bytes): sets the written bits in <see cref="InterruptStatus"/> and asserts the interrupt.</summary>
    public const long InterruptRaise = 0x60;

    /// <summary>Interrupt acknowledge (WO, 4 bytes): clears the written bits in <see cref="InterruptStatus"/>;
    /// the interrupt is deasserted when none is left.</summary>
    public const long InterruptAcknowledge = 0x64;

    /// <summary>DMA source address (RW, 8 bytes; 4- or 8-byte access): a bus address, or a device address for device-to-RAM.</summary>
    public const long DmaSource = 0x80;

    /// <summary>DMA destination address (RW, 8 bytes; 4- or 8-byte access).</summary>
    public const long DmaDestination = 0x88;

    /// <summary>DMA transfer count in bytes (RW, 8 bytes; 4- or 8-byte access).</summary>
    public const long DmaCount = 0x90;

    /// <summary>DMA command (RW, 8 bytes; 4- or 8-byte access): <see cref="DmaStart"/>, <see cref="DmaToRam"/>,
    /// <see cref="DmaIrqOnDone"/>. Writes without <see cref="DmaStart"/> are ignored.</summary>
    public const long DmaCommand = 0x98;

    /// <summary>Status bit 0: a factorial is being computed (read-only).</summary>
    public const uint StatusComputing = 0x01;

    /// <summary>Status bit 7: raise <see cref="IrqFactorial"/> when a factorial is done.</summary>
    public const uint StatusIrqOnFactorial = 0x80;

    /// <summary>Interrupt status bit raised when a factorial is done (if <see cref="StatusIrqOnFactorial"/>).</summary>
    public const uint IrqFactorial = 0x001;

    /// <summary>Interrupt status bit raised when a DMA transfer is done (if <see cref="DmaIrqOnDone"/>).</summary>
    public const uint IrqDma = 0x100;

    /// <summary>DMA command bit 0: start the transfer; clear again when it is done.</summary>
    public const ulong DmaStart = 0x1;

    /// <summary>DMA command bit 1: direction; set = device buffer to RAM, clear = RAM to device buffer.</summary>
    public const ulong DmaToRam = 0x2;

    /// <summary>DMA command bit 2: raise <see cref="IrqDma"/> when the transfer is done.</summary>
    public const ulong DmaIrqOnDone = 0x4;

    /// <summary>Device address of the 4 KiB DMA buffer (not visible in BAR0; reached only by DMA).</summary>
    public const ulong DmaBufferAddress = 0x40000;

    /// <summary>Size of the device's DMA buffer in bytes.</summary>
    public const int DmaBufferSize = 4096;

    /// <summary>The device's DMA mask: bus addresses are truncated to their low 28 bits.</summary>
    public const ulong DmaMask = (1UL << 28) - 1;

    /// <summary>The identification value of QEMU's edu, version 1.0.</summary>
    public const uint IdentificationValue = 0x010000ed;

    /// <summary>The width rules of BAR0: <c>[0x00, 0x80)</c> 4-byte only, <c>[0x80, 1 MiB)</c> 4 or 8 bytes.</summary>
    public static IReadOnlyList<IoWidthRule> WidthRules { get; } =
    [
        new(0, ControlEnd, AccessWidths.Bits32),
        new(ControlEnd, BarSize - ControlEnd, AccessWidths.Bits32 | AccessWidths.Bits64),
    ];

    /// <summary>Options for opening BAR0 with edu's width rules: I/O memory, 4-byte below 0x80, 4 or 8 above.</summary>
    public static IoMapOptions MapOptions { get; } = new() { Space = IoSpace.IoMemory, WidthRules = WidthRules };

    /// <summary>The major version in an identification value (bits 31:24).</summary>
    /// <param name="identification">The value read at <see cref="Identification"/>.</param>
    /// <returns>The major version.</returns>
    public static int MajorVersion(uint identification) => (int)(identification >> 24);

    /// <summary>The minor version in an identification value (bits 23:16).</summary>
    /// <param name="identification">The value read at <see cref="Identification"/>.</param>
    /// <returns>The minor version.</returns>
    public static int MinorVersion(uint identification) => (int)((identification >> 16) & 0xff);

    /// <summary>Whether an identification value is edu's (bits 7:0 are <c>0xed</c>).</summary>
    /// <param name="identification">The value read at <see cref="Identification"/>.</param>
    /// <returns>True for edu.</returns>
    public static bool IsEdu(uint identification) => (identification & 0xffff) == 0x00ed;

    /// <summary>n! in 32 bits, wrapping, as edu computes it.</summary>
    /// <param name="n">The operand.</param>
    /// <returns>n! modulo 2^32.</returns>
    public static uint FactorialOf(uint n)
    {
        uint result = 1;
        for (; n > 0; n--)
        {
            result = unchecked(result * n);
        }

        return result;
    }

    /// <summary>A DMA command value: start, with the given direction and interrupt request.</summary>
    /// <param name="toRam">True for device buffer to RAM, false for RAM to device buffer.</param>
    /// <param name="interrupt">True to raise <see cref="IrqDma"/> when done.</param>
    /// <returns>The value to write to <see cref="DmaCommand"/>.</returns>
    public static ulong DmaCommandValue(bool toRam, bool interrupt) =>
        DmaStart | (toRam ? DmaToRam : 0) | (interrupt ? DmaIrqOnDone : 0);
}

/// <summary>
/// BAR0 of edu as a known size with its width rules, for <see cref="IoSysMap.AsKnownSize{TSize}(long)"/>: a driver
/// that takes its window through this type gets edu's width discipline on any map, including a BAR opened without rules.
/// </summary>
[IoWidthRule(0, EduRegisters.ControlEnd, AccessWidths.Bits32)]
[IoWidthRule(EduRegisters.ControlEnd, EduRegisters.BarSize - EduRegisters.ControlEnd, AccessWidths.Bits32 | AccessWidths.Bits64)]
public struct EduBar : IIoKnownSize
{
    /// <summary>1 MiB.</summary>
    public static long Size => EduRegisters.BarSize;
}
