using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.HardwareTests;

/// <summary>The PCI command register (config offset 4) through sysfs <c>config</c>: bus mastering and INTx masking.</summary>
internal static class PciConfig
{
    public const ushort BusMaster = 1 << 2;

    /// <summary>Interrupt Disable: uio_pci_generic's handler sets it (masks INTx); user space clears it to unmask.</summary>
    public const ushort InterruptDisable = 1 << 10;

    private const long CommandOffset = 4;

    public static ushort ReadCommand(string pciAddress)
    {
        using SafeFileHandle f = File.OpenHandle(ConfigPath(pciAddress), FileMode.Open, FileAccess.Read);
        Span<byte> b = stackalloc byte[2];
        int n = RandomAccess.Read(f, b, CommandOffset);
        Check.Equal(2, n, $"bytes read from {ConfigPath(pciAddress)} at 4");
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    /// <summary>Sets and clears bits of the command register (one 2-byte config write).</summary>
    public static ushort Update(string pciAddress, ushort set, ushort clear)
    {
        ushort old = ReadCommand(pciAddress);
        ushort value = (ushort)((old | set) & ~clear);
        if (value != old)
        {
            using SafeFileHandle f = File.OpenHandle(ConfigPath(pciAddress), FileMode.Open, FileAccess.ReadWrite);
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
            RandomAccess.Write(f, b, CommandOffset);
        }

        return old;
    }

    private static string ConfigPath(string pciAddress) => $"/sys/bus/pci/devices/{pciAddress}/config";
}
