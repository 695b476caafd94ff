using IoSys.Devices.Edu;
using IoSys.Samples.Edu.Demo;
using IoSys.Simulation;

namespace IoSys.Samples.Edu;

/// <summary>
/// A simulated edu with everything the scenarios need: the device, a driver over its BAR, its interrupt, and a DMA
/// buffer in its system memory. What the unit tests (and the CLI's demos) run <see cref="EduDriverScenarios"/> on.
/// </summary>
public sealed class SimulatedEdu : IDisposable
{
    /// <summary>Creates the device and its driver, interrupt and DMA buffer.</summary>
    /// <param name="options">Device options. Default: factorial 1 ms, DMA 1 ms (fast tests), lenient, system clock.</param>
    /// <param name="dmaBufferSize">Size of the DMA buffer in bytes. Default 8 KiB.</param>
    public SimulatedEdu(EduDeviceOptions? options = null, long dmaBufferSize = 8192)
    {
        options ??= new EduDeviceOptions { FactorialTime = TimeSpan.FromMilliseconds(1), DmaTime = TimeSpan.FromMilliseconds(1) };
        Device = new EduDevice(options);
        Buffer = Device.SystemMemory.Allocate(dmaBufferSize);
        Driver = new EduDriver(Device.Map) { DmaMask = options.DmaMask };
        Interrupts = new SimulatedEduInterrupts(Device.Interrupt);
        Dma = new SimulatedEduDmaBuffer(Buffer);
    }

    /// <summary>The simulated device.</summary>
    public EduDevice Device { get; }

    /// <summary>The DMA buffer in the device's system memory.</summary>
    public SimulatedDmaBuffer Buffer { get; }

    /// <summary>The driver over <see cref="SimulatedDevice.Map"/>.</summary>
    public EduDriver Driver { get; }

    /// <summary>The device's interrupt.</summary>
    public IEduInterrupts Interrupts { get; }

    /// <summary>The DMA buffer, for the driver.</summary>
    public IDmaBuffer Dma { get; }

    /// <summary>A scenario context with the driver, the interrupt and the DMA buffer.</summary>
    /// <param name="timeout">Timeout for each wait. Default 5 s.</param>
    /// <returns>The context.</returns>
    public EduScenarioContext CreateContext(TimeSpan? timeout = null) =>
        new(Driver, Interrupts, Dma) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };

    /// <summary>Disposes the device and its memory.</summary>
    public void Dispose() => Device.Dispose();
}
