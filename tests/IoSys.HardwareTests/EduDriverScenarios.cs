using IoSys.Samples.Edu;
using IoSys.Devices.Edu;

namespace IoSys.HardwareTests;

/// <summary>
/// The edu sample driver's scenarios (samples/EduDriver: the same methods the simulated tests run) with the driver
/// over the real BAR, interrupts through UIO and, where the guest has reachable RAM, a real DMA buffer.
/// </summary>
internal static class EduDriverScenarioTests
{
    /// <summary>Runs one scenario in this process: <c>iosys-hwtests --driver-scenario NAME</c>.</summary>
    public const string ChildCommand = "--driver-scenario";

    public static void Register(Runner r, Guest guest, bool isolatedChild = false)
    {
        DmaMemory? memory = null;
        string? noDma = null;
        foreach (EduScenario scenario in IoSys.Samples.Edu.EduDriverScenarios.All)
        {
            // In the parent: each scenario runs in a child process, so one that dies (a raw access on arm64) is
            // reported as that scenario's failure and the rest still run.
            if (!isolatedChild)
            {
                r.RunIsolated("driver." + scenario.Name, [ChildCommand, scenario.Name]);
                continue;
            }

            r.Run("driver." + scenario.Name, () =>
            {
                if ((scenario.Needs & EduScenarioNeeds.Isolation) != 0)
                {
                    throw new SkipException("no IOMMU in this guest (edu-demo sim:edu runs isolation on the simulated IOMMU; the VFIO suite on a real one)");
                }

                string pci = guest.RequireEdu();
                bool wantsIrq = (scenario.Needs & EduScenarioNeeds.Interrupts) != 0;
                bool wantsDma = (scenario.Needs & EduScenarioNeeds.Dma) != 0;
                DmaPage? page = null;
                if (wantsDma)
                {
                    if (memory is null && noDma is null)
                    {
                        try
                        {
                            // The driver is given edu's dma_mask below, so it reaches the same pages.
                            memory = DmaTests.OpenReachable(guest);
                        }
                        catch (SkipException e)
                        {
                            noDma = e.Message;
                        }
                    }

                    page = memory?.Available > 0 ? memory.Take() : null;
                    if (page is null)
                    {
                        throw new SkipException(noDma ?? "no DMA-reachable page left");
                    }
                }

                using IoSysMap bar = Guest.OpenEdu();
                using UioInterrupts? irq = wantsIrq ? new UioInterrupts(guest.RequireUio(), pci) : null;
                var context = new EduScenarioContext(new EduDriver(bar) { DmaMask = guest.EduDmaMask }, irq is null ? null : new UioEduInterrupts(irq), page is null ? null : new PageDmaBuffer(page))
                {
                    Timeout = TimeSpan.FromSeconds(10),
                };
                ushort command = wantsDma ? PciConfig.Update(pci, PciConfig.BusMaster, 0) : (ushort)0;
                try
                {
                    scenario.Run(context);
                }
                finally
                {
                    if (wantsDma && (command & PciConfig.BusMaster) == 0)
                    {
                        PciConfig.Update(pci, 0, PciConfig.BusMaster);
                    }
                }
            });
        }
    }

    /// <summary>IEduInterrupts over /dev/uioN: unmask to enable and again after each acknowledged interrupt.</summary>
    private sealed class UioEduInterrupts(UioInterrupts irq) : IEduInterrupts
    {
        public void Enable() => irq.Enable();

        public uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default) => irq.Wait(timeout, cancellationToken);

        public void Acknowledge() => irq.Enable();
    }

    /// <summary>IDmaBuffer over a locked guest page.</summary>
    private sealed class PageDmaBuffer(DmaPage page) : IDmaBuffer
    {
        public IoSysMap Map => page.Map;

        public ulong BusAddress => page.BusAddress;
    }
}
