using IoSys.Linux;

namespace IoSys.HardwareTests;

/// <summary>
/// edu's interrupt as user space sees it through uio_pci_generic: wait on <c>/dev/uioN</c>, unmask before each wait.
/// </summary>
/// <remarks>
/// uio_pci_generic's handler masks INTx with the Interrupt Disable bit of the PCI command register and the driver
/// has no irqcontrol (a write to /dev/uioN fails with ENOSYS); <see cref="UioDevice.EnableInterrupts"/> handles that
/// by clearing the bit through sysfs config. The tests call only the library, so a regression there fails them;
/// <see cref="IsMasked"/> reads the bit independently to check the kernel did mask.
/// </remarks>
internal sealed class UioInterrupts : IDisposable
{
    private readonly UioDevice _uio;
    private readonly string _pciAddress;

    public UioInterrupts(string uio, string pciAddress)
    {
        _uio = UioDevice.Open(uio);
        _pciAddress = pciAddress;
    }

    public string DevicePath => _uio.DevicePath;

    /// <summary>Unmasks the interrupt; call before each wait.</summary>
    public void Enable() => _uio.EnableInterrupts();

    /// <summary>Blocks until the next interrupt; returns the kernel's count. Throws <see cref="TimeoutException"/>.</summary>
    public uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default) => _uio.WaitForInterrupt(timeout, cancellationToken);

    /// <summary>Whether INTx is masked (uio_pci_generic's handler masks it when an interrupt arrives).</summary>
    public bool IsMasked => (PciConfig.ReadCommand(_pciAddress) & PciConfig.InterruptDisable) != 0;

    public void Dispose() => _uio.Dispose();
}
