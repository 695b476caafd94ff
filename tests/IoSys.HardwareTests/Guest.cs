using System.Globalization;
using IoSys.Devices.Edu;

namespace IoSys.HardwareTests;

/// <summary>
/// What the guest's /init and the payload's run.sh tell the program (tests/Hardware/README.md, payload/layout.sh).
/// </summary>
internal sealed class Guest
{
    /// <summary>edu's vendor:device id, the selector the tests open it by.</summary>
    public static readonly string EduId = string.Create(CultureInfo.InvariantCulture, $"{EduRegisters.VendorId:x4}:{EduRegisters.DeviceId:x4}");

    public const string IvshmemId = "1af4:1110";

    /// <summary>edu's identification register (0x00): major 1, minor 0, magic 0xed.</summary>
    public static readonly uint EduIdentification = EduRegisterBlock.Identification.ResetValue.Raw;

    public string? EduPci { get; } = Env("IOSYS_EDU_PCI");

    public string? EduUio { get; } = Env("IOSYS_EDU_UIO");

    public string? IvshmemPci { get; } = Env("IOSYS_IVSHMEM_PCI");

    public int IvshmemBar { get; } = int.Parse(Env("IOSYS_IVSHMEM_BAR") ?? "2", CultureInfo.InvariantCulture);

    /// <summary>The firmware image the host generated (odd length, not a multiple of 8).</summary>
    public string FirmwarePath => Require("IOSYS_HW_FW");

    /// <summary>A copy of the bytes the host put at the start of the ivshmem file before boot.</summary>
    public string HostDataPath => Require("IOSYS_HW_HOSTDATA");

    /// <summary>The edu DMA mask QEMU was started with (edu's default: 28 bits).</summary>
    public ulong EduDmaMask { get; } = Env("IOSYS_EDU_DMA_MASK") is { } m ? ParseHex(m) : EduRegisters.DmaMask;

    /// <summary>Where each scenario writes in the ivshmem BAR; the host checks the same places afterwards.</summary>
    public long Offset(string name) => (long)ParseHex(Require("IOSYS_HW_" + name));

    public static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static string Require(string name) =>
        Env(name) ?? throw new CheckFailedException($"environment variable {name} is not set (the payload's run.sh sets it from layout.sh)");

    public static ulong ParseHex(string text) =>
        ulong.Parse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public string RequireEdu() =>
        EduPci ?? throw new CheckFailedException("no edu device (IOSYS_EDU_PCI is empty): QEMU was started without -device edu?");

    public string RequireUio() =>
        EduUio ?? throw new CheckFailedException("edu is not bound to uio_pci_generic (IOSYS_EDU_UIO is empty): see the iosys-init lines above");

    public string RequireIvshmem() =>
        IvshmemPci ?? throw new CheckFailedException("no ivshmem-plain device (IOSYS_IVSHMEM_PCI is empty)");

    /// <summary>edu's BAR0 through sysfs, found by vendor:device, with edu's width rules (<see cref="EduRegisters.MapOptions"/>).</summary>
    public static IoSysMap OpenEdu() => IoSys.Linux.PciDevices.OpenBar(EduId, 0, new IoSys.Linux.PciOpenOptions { MapOptions = EduRegisters.MapOptions });
}
