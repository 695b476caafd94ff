using System.Diagnostics;
using System.Globalization;
using IoSys.Linux.Vfio;

namespace IoSys.HardwareTests;

/// <summary>
/// The VFIO scenarios (issue 13): edu bound to vfio-pci behind the guest's IOMMU (intel-iommu on x86-64, SMMUv3 on
/// arm64). They run only in the VFIO boot (IOSYS_VFIO=1, set by payload/vfio.sh after binding edu); the shell script
/// does the bind, the kernel's fault line, the tool and the unbind.
/// </summary>
internal static class VfioScenarios
{
    // edu's registers (QEMU docs/specs/edu.rst); VfioResetScenarios uses them too.
    internal const long Id = 0x00, Liveness = 0x04, InterruptStatus = 0x24, RaiseInterrupt = 0x60, AckInterrupt = 0x64;
    internal const long DmaSource = 0x80, DmaDestination = 0x88, DmaCount = 0x90, DmaCommand = 0x98;
    internal const uint DmaStart = 0x1, DmaToRam = 0x2, DmaRaiseIrq = 0x4, DmaIrqStatus = 0x100;
    private const ulong EduBuffer = 0x40000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Several sizes, ending below 0x41000: QEMU 7.2's edu aborts the VM on a DMA that ends exactly there.
    private static readonly int[] DmaSizes = [1, 64, 1000, 4095];
    private static readonly (string Name, long Size, bool Huge)[] MapSizes = [("4 KiB", 4096L, false), ("2 MiB", 2L << 20, true)];
    private static readonly VfioIrqKind[] IrqKinds = [VfioIrqKind.Msi, VfioIrqKind.Intx];

    public static void Register(Runner r, Guest guest)
    {
        if (Guest.Env("IOSYS_VFIO") != "1")
        {
            return;
        }

        string address = guest.RequireEdu();
        var options = new VfioOpenOptions { DmaAddressBits = 28 }; // edu's default DMA mask
        (long pin, long lck) before = PinnedKb();

        r.Run("vfio.open", () =>
        {
            using VfioDevice device = VfioDevice.Open(Guest.EduId, options);
            Check.Equal(address, device.Address, "address resolved from 1234:11e8");
            Check.True(device.Info.Regions.Count >= 8, $"{device.Info.Regions.Count} regions");
            Check.True(device.Info.Irqs.Count >= 2 && device.Info.Irqs[(int)VfioIrqKind.Msi].Count >= 1, "an MSI vector");
            Runner.Note($"vfio: {address} group {device.Info.IommuGroup}, {device.Info.Regions.Count} regions, {device.Info.Irqs.Count} irq indices, " +
                        $"reset {device.Info.SupportsReset}; IOVA ranges {string.Join(", ", device.IovaRanges)}; page sizes 0x{device.IommuPageSizes:x}");
        });

        r.Run("vfio.config-ids", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            Check.Equal((ushort)0x1234, device.Config.Read16(0), "vendor id");
            Check.Equal((ushort)0x11e8, device.Config.Read16(2), "device id");
            IoAccessException refused = Check.Refused(IoAccessError.WidthRefused, () => device.Config.Read64(0), "an 8-byte config read (two config cycles)");
            Check.Equal($"vfio:{address}/config", refused.Target ?? "(none)", "the refused config read names its target");
        });

        r.Run("vfio.bar0", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            device.MemoryDecoding = true;
            using IoSysMap bar0 = device.OpenBar(0);
            Check.Equal(0x100000L, bar0.Size, "BAR0 size");
            Check.True(device.Info.Regions[0].Access.HasFlag(VfioRegionAccess.Mmap), "BAR0 is mmappable");
            Check.Equal(Guest.EduIdentification, bar0.Read32(Id), "edu id");
            bar0.Write32(Liveness, 0x12345678);
            Check.Equal(~0x12345678u, bar0.Read32(Liveness), "liveness (the inverse)");
            IoAccessException outside = Check.Refused(IoAccessError.OutOfRange, () => bar0.Read32(bar0.Size), "a read past BAR0");
            Check.Equal($"vfio:{address}/bar0", outside.Target ?? "(none)", "the refused BAR0 read names its target");
            Check.True(outside.Message.Contains($"vfio:{address}/bar0", StringComparison.Ordinal), $"the message names the target: {outside.Message}");
        });

        r.Run("vfio.dma.round-trips-msi", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            using IoSysMap bar0 = Enable(device);
            using VfioInterrupts msi = device.EnableInterrupts(VfioIrqKind.Msi);
            // Several sizes, ending below 0x41000: QEMU 7.2's edu aborts the VM on a DMA that ends exactly there.
            foreach (int size in DmaSizes)
            {
                using VfioDmaBuffer source = device.AllocateDmaBuffer(size, VfioDmaDirection.ToDevice);
                using VfioDmaBuffer destination = device.AllocateDmaBuffer(size, VfioDmaDirection.FromDevice);
                Check.True(source.DeviceAddress + (ulong)source.MappedSize <= 1UL << 28 && destination.DeviceAddress + (ulong)destination.MappedSize <= 1UL << 28,
                    "IOVAs below edu's 28-bit mask");
                byte[] pattern = new byte[size];
                new Random(size).NextBytes(pattern);
                source.Map.WriteBytes(0, pattern);
                Dma(bar0, source.DeviceAddress, EduBuffer, size, toRam: false);
                Check.Equal(1UL, msi[0].Wait(Timeout), $"MSIs for the {size}-byte DMA to the device");
                Ack(bar0);
                Dma(bar0, EduBuffer, destination.DeviceAddress, size, toRam: true);
                Check.Equal(1UL, msi[0].Wait(Timeout), $"MSIs for the {size}-byte DMA to RAM");
                Ack(bar0);
                byte[] back = new byte[size];
                destination.Map.ReadBytes(0, back);
                Check.Bytes(pattern, back, $"{size} bytes RAM -> edu -> RAM");
            }
        });

        r.Run("vfio.dma.pool", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            using IoSysMap bar0 = Enable(device);
            using VfioDmaPool pool = device.CreateDmaPool(64 * 1024);
            using VfioDmaBlock a = pool.Rent(300), b = pool.Rent(300);
            a.Map.Fill(0, 300, 0x5a);
            Dma(bar0, a.DeviceAddress, EduBuffer, 300, toRam: false);
            PollDone(bar0);
            Dma(bar0, EduBuffer, b.DeviceAddress, 300, toRam: true);
            PollDone(bar0);
            byte[] back = new byte[300];
            b.Map.ReadBytes(0, back);
            Check.Bytes(Enumerable.Repeat((byte)0x5a, 300).ToArray(), back, "block to block through edu");
        });

        r.Run("vfio.intx", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            using IoSysMap bar0 = Enable(device);
            using VfioInterrupts intx = device.EnableInterrupts(VfioIrqKind.Intx);
            using VfioDmaBuffer buffer = device.AllocateDmaBuffer(512);
            for (int i = 0; i < 3; i++)
            {
                Dma(bar0, buffer.DeviceAddress, EduBuffer, 512, toRam: false);
                Check.Equal(1UL, intx[0].Wait(Timeout), $"INTx for transfer {i}");
                Ack(bar0);
                intx.Unmask(); // the kernel masked the line at the interrupt: without this the next one never arrives
            }
        });

        r.Run("vfio.isolation", () =>
        {
            using VfioDevice device = VfioDevice.Open(address, options);
            using IoSysMap bar0 = Enable(device);
            using VfioDmaBuffer source = device.AllocateDmaBuffer(256);
            source.Map.Fill(0, 256, 0x11);
            Dma(bar0, source.DeviceAddress, EduBuffer, 256, toRam: false);
            PollDone(bar0);
            using VfioDmaBuffer victim = device.AllocateDmaBuffer(4096);
            victim.Map.Fill(0, 4096, 0xaa);
            ulong oldIova = victim.DeviceAddress;
            victim.Unmap(); // the device loses it; the CPU's map keeps its bytes
            Check.True(!victim.IsMapped, "unmapped");
            Dma(bar0, EduBuffer, oldIova, 256, toRam: true);
            PollDone(bar0);
            byte[] after = new byte[4096];
            victim.Map.ReadBytes(0, after);
            int changed = after.Count(b => b != 0xaa);
            Check.Equal(0, changed, "bytes of the unmapped buffer the DMA changed");
            Runner.Note($"vfio.isolation: DMA to unmapped IOVA 0x{oldIova:x} changed {changed} of 4096 bytes (the kernel's fault line follows from dmesg)");
        });

        r.Run("vfio.teardown", () =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            (long pin, long lck) after = PinnedKb();
            Check.Equal(before, after, "(VmPin, VmLck) in kB before opening and after disposing everything");
        });

        r.Run("vfio.measure", () => Measure(address, options));
    }

    private static IoSysMap Enable(VfioDevice device)
    {
        device.MemoryDecoding = true;
        device.BusMaster = true;
        IoSysMap bar0 = device.OpenBar(0);
        Ack(bar0);
        return bar0;
    }

    private static void Dma(IoSysMap bar0, ulong from, ulong to, int count, bool toRam)
    {
        bar0.Write64(DmaSource, from);
        bar0.Write64(DmaDestination, to);
        bar0.Write64(DmaCount, (ulong)count);
        bar0.Write32(DmaCommand, DmaStart | DmaRaiseIrq | (toRam ? DmaToRam : 0));
    }

    private static void PollDone(IoSysMap bar0)
    {
        bar0.Poll<uint>(DmaCommand, c => (c & DmaStart) == 0, Timeout, TimeSpan.FromMilliseconds(1));
        Ack(bar0);
    }

    private static void Ack(IoSysMap bar0)
    {
        uint status = bar0.Read32(InterruptStatus);
        if (status != 0)
        {
            bar0.Write32(AckInterrupt, status);
        }
    }

    private static (long Pin, long Lck) PinnedKb()
    {
        long pin = 0, lck = 0;
        foreach (string line in File.ReadAllLines("/proc/self/status"))
        {
            if (line.StartsWith("VmPin:", StringComparison.Ordinal))
            {
                pin = long.Parse(line[6..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmLck:", StringComparison.Ordinal))
            {
                lck = long.Parse(line[6..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return (pin, lck);
    }

    private const int CompletionDmaBytes = 64;
    private static readonly TimeSpan CompletionSpinAfter = TimeSpan.FromMilliseconds(80);

    /// <summary>
    /// Reported, not asserted: interrupt delivery from the device's completion to the waiting thread. edu finishes a DMA
    /// in a timer 100 ms (virtual clock) after the doorbell; in that one callback it clears the command register's run
    /// bit and raises the interrupt (the DMA command's "raise interrupt when done" bit). A second thread reads the
    /// command register, from 80 ms after the doorbell, until the run bit clears: the last read that still saw it set
    /// started before the completion, so "wake-up minus that read's start" is an upper bound of the delivery time. The
    /// span from that read to the poller's first read that saw the bit clear is reported beside it: on one vCPU the
    /// woken waiter runs before the poller's next read, so that span is the bound plus the waiter's own work.
    /// </summary>
    private static void MeasureFromCompletion(IoSysMap bar0, VfioInterrupts irq, VfioIrqKind kind, ulong source)
    {
        const int N = 20; // 100 ms of device time each
        List<double> fromCompletion = [], window = [], fromDoorbell = [];
        int unseen = 0;
        for (int i = 0; i < N; i++)
        {
            bar0.Write64(DmaSource, source);
            bar0.Write64(DmaDestination, EduBuffer);
            bar0.Write64(DmaCount, CompletionDmaBytes);
            long lastRunning = 0, seenDone = 0;
            long doorbell = Stopwatch.GetTimestamp();
            bar0.Write32(DmaCommand, DmaStart | DmaRaiseIrq);
            var poller = new Thread(() =>
            {
                // Spin only near the end: spinning through all 100 ms would keep the guest's vCPU (and a host CPU)
                // busy for nothing. A DMA that ends before the spin starts leaves lastRunning 0: counted, not timed.
                Thread.Sleep(CompletionSpinAfter);

                // Bounded: edu's DMA ends in 100 ms of virtual time; 10 s covers a stalled TCG guest.
                while (Stopwatch.GetElapsedTime(doorbell) < Timeout)
                {
                    long t = Stopwatch.GetTimestamp();
                    if ((bar0.Read32(DmaCommand) & DmaStart) == 0)
                    {
                        seenDone = Stopwatch.GetTimestamp();
                        return;
                    }

                    lastRunning = t;
                }
            }) { IsBackground = true, Name = "edu DMA poller" };
            poller.Start();
            irq[0].Wait(Timeout);
            long woke = Stopwatch.GetTimestamp();
            poller.Join(); // publishes lastRunning and seenDone to this thread
            if (lastRunning != 0 && seenDone != 0)
            {
                fromCompletion.Add(Stopwatch.GetElapsedTime(lastRunning, woke).TotalMicroseconds);
                window.Add(Stopwatch.GetElapsedTime(lastRunning, seenDone).TotalMicroseconds);
                fromDoorbell.Add(Stopwatch.GetElapsedTime(doorbell, woke).TotalMicroseconds);
            }
            else
            {
                unseen++; // the poller started after the DMA had ended (or never saw it end): no completion time
            }

            Ack(bar0);
            if (kind == VfioIrqKind.Intx)
            {
                irq.Unmask();
            }
        }

        if (fromCompletion.Count == 0)
        {
            Runner.Note($"MEASURE vfio.irq-latency-from-completion {kind}: not measured (the poller never saw a DMA running, {unseen} of {N} samples)");
            return;
        }

        fromCompletion.Sort();
        window.Sort();
        fromDoorbell.Sort();
        int n = fromCompletion.Count;
        Runner.Note($"MEASURE vfio.irq-latency-from-completion {kind}: median {fromCompletion[n / 2]:0} us, p90 {fromCompletion[n * 9 / 10]:0} us " +
                    $"(edu's DMA completion to Wait returning, upper bound; last read seeing it run to first seeing it done: median {window[n / 2]:0} us; " +
                    $"doorbell to wake-up median {fromDoorbell[n / 2] / 1000:0.0} ms, edu's DMA timer being 100 ms; {CompletionDmaBytes}-byte DMA, n={n}" +
                    (unseen > 0 ? $", {unseen} samples without a completion time" : "") + ", TCG)");
    }

    /// <summary>Reported, not asserted: IOMMU map+unmap rate and interrupt delivery time (copy speed: VfioResetScenarios, vfio-copy.measure).</summary>
    private static void Measure(string address, VfioOpenOptions options)
    {
        using VfioDevice device = VfioDevice.Open(address, options);
        foreach ((string name, long size, bool huge) in MapSizes)
        {
            try
            {
                int n = huge ? 50 : 500;
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < n; i++)
                {
                    device.AllocateDmaBuffer(size, hugePages: huge).Dispose();
                }

                Runner.Note($"MEASURE vfio.map-unmap {name}: {n / watch.Elapsed.TotalSeconds:0} per second (allocate + IOMMU map + unmap, n={n})");
            }
            catch (VfioException e)
            {
                Runner.Note($"MEASURE vfio.map-unmap {name}: not measured ({e.Message})");
            }
        }

        using IoSysMap bar0 = Enable(device);
        using VfioDmaBuffer completionBuffer = device.AllocateDmaBuffer(CompletionDmaBytes, VfioDmaDirection.ToDevice);
        foreach (VfioIrqKind kind in IrqKinds)
        {
            using VfioInterrupts irq = device.EnableInterrupts(kind);
            const int N = 100;
            var samples = new double[N];
            for (int i = 0; i < N; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                bar0.Write32(RaiseInterrupt, 1); // edu raises its interrupt at once
                irq[0].Wait(Timeout);
                samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                bar0.Write32(AckInterrupt, 1);
                if (kind == VfioIrqKind.Intx)
                {
                    irq.Unmask();
                }
            }

            Array.Sort(samples);
            Runner.Note($"MEASURE vfio.irq-latency {kind}: median {samples[N / 2]:0} us, p90 {samples[N * 9 / 10]:0} us (raise register write to Wait returning, n={N}, TCG)");
            MeasureFromCompletion(bar0, irq, kind, completionBuffer.DeviceAddress);
        }
    }
}
