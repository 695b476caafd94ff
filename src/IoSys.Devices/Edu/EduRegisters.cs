using System.Reflection;

namespace IoSys.Devices.Edu;

/// <summary>
/// What drivers and the simulated device need to know about QEMU's <c>edu</c> device (PCI 1234:11e8, BAR0, 1 MiB;
/// QEMU <c>docs/specs/edu.rst</c>) that is not a register: its ids, the size and width rules of BAR0, its DMA buffer
/// and mask. The registers themselves (offsets, widths, access kinds, reset values, fields) are declared once, in
/// <see cref="EduRegisterBlock"/>.
/// </summary>
public static class EduRegisters
{
    /// <summary>PCI vendor id of <c>edu</c>.</summary>
    public const ushort VendorId = 0x1234;

    /// <summary>PCI device id of <c>edu</c>.</summary>
    public const ushort DeviceId = 0x11e8;

    /// <summary>Size of BAR0 in bytes (1 MiB): the size of <see cref="EduRegisterBlock"/>.</summary>
    public const long BarSize = 0x10_0000;

    /// <summary>Device address of the 4 KiB DMA buffer (not visible in BAR0; reached only by DMA).</summary>
    public const ulong DmaBufferAddress = 0x40000;

    /// <summary>Size of the device's DMA buffer in bytes.</summary>
    public const int DmaBufferSize = 4096;

    /// <summary>
    /// edu's default DMA mask (QEMU's <c>dma_mask</c> device property): bus addresses are truncated to their low 28
    /// bits. A machine whose RAM lies higher (arm64 <c>virt</c>: from 1 GiB) starts edu with a wider one.
    /// </summary>
    public const ulong DmaMask = (1UL << 28) - 1;

    /// <summary>
    /// The width rules of BAR0, as declared on <see cref="EduRegisterBlock"/>: <c>[0x00, 0x80)</c> 4-byte only,
    /// <c>[0x80, 1 MiB)</c> 4 or 8 bytes.
    /// </summary>
    public static IReadOnlyList<IoWidthRule> WidthRules { get; } =
    [
        .. typeof(EduRegisterBlock).GetCustomAttributes<IoWidthRuleAttribute>(inherit: false)
            .Select(static a => a.Rule)
            .OrderBy(static r => r.Offset),
    ];

    /// <summary>Options for opening BAR0 with edu's width rules: I/O memory, 4-byte below 0x80, 4 or 8 above.</summary>
    public static IoMapOptions MapOptions { get; } = new() { Space = IoSpace.IoMemory, WidthRules = WidthRules };

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
}
