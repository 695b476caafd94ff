using System.Globalization;
using IoSys.Devices.Edu;
using static IoSys.Devices.Edu.EduRegisters;

namespace IoSys.Samples.Edu;

/// <summary>What a scenario needs beyond the driver.</summary>
[Flags]
public enum EduScenarioNeeds
{
    /// <summary>Only the driver.</summary>
    None = 0,

    /// <summary>The device's interrupt (<see cref="IEduInterrupts"/>).</summary>
    Interrupts = 1,

    /// <summary>A DMA buffer of at least 4 KiB within the driver's <see cref="EduDriver.DmaMask"/> (<see cref="IDmaBuffer"/>).</summary>
    Dma = 2,

    /// <summary>
    /// DMA buffers behind an IOMMU that confines the device (<see cref="IEduDmaAllocator"/> with
    /// <see cref="IEduDmaAllocator.IsIsolated"/>), so that a buffer can be taken away from the device.
    /// </summary>
    Isolation = 4,
}

/// <summary>What a scenario runs against: a driver and, where the platform has them, the interrupt and a DMA buffer.</summary>
/// <param name="driver">The driver over BAR0.</param>
/// <param name="interrupts">The device's interrupt, or null where there is none (scenarios that need it are skipped).</param>
/// <param name="dma">A DMA buffer of at least 4 KiB, or null (scenarios that need one are skipped).</param>
public sealed class EduScenarioContext(EduDriver driver, IEduInterrupts? interrupts = null, IDmaBuffer? dma = null)
{
    /// <summary>The driver.</summary>
    public EduDriver Driver { get; } = driver ?? throw new ArgumentNullException(nameof(driver));

    /// <summary>The device's interrupt, or null.</summary>
    public IEduInterrupts? Interrupts { get; } = interrupts;

    /// <summary>A DMA buffer, or null.</summary>
    public IDmaBuffer? Dma { get; } = dma;

    /// <summary>How long each wait for the device may take. Default 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where more DMA buffers come from (the isolation scenario allocates and unmaps one), or null.</summary>
    public IEduDmaAllocator? DmaAllocator { get; init; }

    /// <summary>Why the platform lacks a need, for <c>SKIP</c> lines; null gives just the need's name.</summary>
    public Func<EduScenarioNeeds, string>? WhyMissing { get; init; }

    /// <summary>What this context provides.</summary>
    public EduScenarioNeeds Provides =>
        (Interrupts is null ? EduScenarioNeeds.None : EduScenarioNeeds.Interrupts) | (Dma is null ? EduScenarioNeeds.None : EduScenarioNeeds.Dma) |
        (Dma is not null && DmaAllocator is { IsIsolated: true } ? EduScenarioNeeds.Isolation : EduScenarioNeeds.None);
}

/// <summary>One test case of the edu driver, runnable on any edu: simulated or real.</summary>
/// <param name="Name">A short, stable name (kebab-case), e.g. <c>factorial-poll</c>.</param>
/// <param name="Description">What it shows, in one sentence.</param>
/// <param name="Needs">What it needs beyond the driver.</param>
/// <param name="Run">The test: returns normally on success, throws (usually <see cref="EduScenarioFailedException"/>) on failure.</param>
public sealed record EduScenario(string Name, string Description, EduScenarioNeeds Needs, Action<EduScenarioContext> Run)
{
    /// <summary>Whether <paramref name="context"/> provides what the scenario needs.</summary>
    /// <param name="context">The context.</param>
    /// <returns>True if it can run.</returns>
    public bool CanRun(EduScenarioContext context) => context is not null && (context.Provides & Needs) == Needs;

    /// <summary>The name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;
}

/// <summary>A scenario's check failed: the message says what was expected and what the device did.</summary>
public sealed class EduScenarioFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EduScenarioFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was expected and what happened.</param>
    public EduScenarioFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was expected and what happened.</param>
    /// <param name="innerException">The cause.</param>
    public EduScenarioFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The outcome of one scenario in <see cref="EduDriverScenarios.RunAll"/>.</summary>
/// <param name="Name">The scenario.</param>
/// <param name="Skipped">True if the context lacked what it needs.</param>
/// <param name="Error">The failure, or null if it passed or was skipped.</param>
public sealed record EduScenarioResult(string Name, bool Skipped, Exception? Error)
{
    /// <summary>Whether the scenario ran and passed.</summary>
    public bool Passed => !Skipped && Error is null;
}

/// <summary>
/// The edu driver's test cases, written once: the unit tests run them on the simulated edu (<c>IoSys.Simulation.EduDevice</c>), and the QEMU guest
/// suite runs the same ones on the real device (PCI BAR + UIO). Each takes an <see cref="EduScenarioContext"/> and
/// throws <see cref="EduScenarioFailedException"/> naming expected and actual values on failure.
/// </summary>
/// <remarks>
/// Every scenario leaves the device as it found it (no interrupt raised, status bit 7 clear, no DMA running), so they
/// can run in any order on one device. Accesses that QEMU refuses outside edu's own checks (1- and 2-byte accesses:
/// a bus error on arm64) are never made, not even through the raw layer.
/// </remarks>
public static class EduDriverScenarios
{
    private const uint SoftwareIrq = 0x8000_0000;

    /// <summary>Every scenario, in a sensible order.</summary>
    public static IReadOnlyList<EduScenario> All { get; } =
    [
        new("identify", "The identification register reads 0x010000ed (edu 1.0).", EduScenarioNeeds.None, Identify),
        new("liveness", "The liveness register reads back the inverse of what was written.", EduScenarioNeeds.None, Liveness),
        new("factorial-poll", "Factorials computed by the device, polling the busy bit, match n! in 32 bits.", EduScenarioNeeds.None, FactorialPoll),
        new("factorial-poll-async", "The same with PollAsync.", EduScenarioNeeds.None, FactorialPollAsync),
        new("irq-raise-ack", "Raising sets interrupt status bits and acknowledging clears them.", EduScenarioNeeds.None, InterruptRaiseAcknowledge),
        new("unbacked-reads-ones", "Offsets no register backs read all ones, at 4 and 8 bytes.", EduScenarioNeeds.None, UnbackedReadsOnes),
        new("width-checked-refuses", "The driver's map refuses widths edu does not accept, before touching the device.", EduScenarioNeeds.None, CheckedWidthsRefused),
        new("width-raw-wide-below-0x80", "Through the raw layer, an 8-byte read below 0x80 reads all ones and an 8-byte write is dropped.", EduScenarioNeeds.None, RawWideAccessBelow0x80),
        new("dma-registers", "DMA registers take 4- and 8-byte accesses; a 4-byte write sets the whole register.", EduScenarioNeeds.None, DmaRegisters),
        new("factorial-interrupt", "A factorial completes with the factorial interrupt, which the driver acknowledges.", EduScenarioNeeds.Interrupts, FactorialInterrupt),
        new("irq-raise-interrupt", "A software-raised interrupt is delivered and cleared by acknowledging.", EduScenarioNeeds.Interrupts, InterruptRaiseDelivered),
        new("dma-round-trip-poll", "Bytes DMAed into the device buffer and back arrive unchanged (polling).", EduScenarioNeeds.Dma, DmaRoundTripPoll),
        new("dma-round-trip-interrupt", "The same, waiting for the DMA interrupt.", EduScenarioNeeds.Dma | EduScenarioNeeds.Interrupts, DmaRoundTripInterrupt),
        new("firmware-upload", "Firmware written as u8 at offsets 0, 1, 2, ... into a DMA buffer reaches the device and reads back byte for byte.", EduScenarioNeeds.Dma, FirmwareUpload),
        new("iommu-isolation", "A buffer unmapped from the IOMMU stays untouched by a DMA aimed at its old address (and the fault is logged where the target can read it).", EduScenarioNeeds.Dma | EduScenarioNeeds.Isolation, IommuIsolation),
    ];

    /// <summary>The scenario called <paramref name="name"/>.</summary>
    /// <param name="name">A name from <see cref="All"/>.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="KeyNotFoundException">No scenario has that name.</exception>
    public static EduScenario Find(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"No edu scenario '{name}'.");

    /// <summary>Runs every scenario the context can run, in order, and reports each outcome; never throws for a failure.</summary>
    /// <param name="context">The driver and what the platform provides.</param>
    /// <param name="log">Receives one line per scenario (<c>PASS name</c>, <c>SKIP name</c>, <c>FAIL name: message</c>).</param>
    /// <returns>One result per scenario in <see cref="All"/>.</returns>
    public static IReadOnlyList<EduScenarioResult> RunAll(EduScenarioContext context, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<EduScenarioResult>(All.Count);
        foreach (EduScenario scenario in All)
        {
            EduScenarioResult result;
            if (!scenario.CanRun(context))
            {
                result = new(scenario.Name, Skipped: true, Error: null);
                EduScenarioNeeds missing = scenario.Needs & ~context.Provides;
                string why = context.WhyMissing is { } explain
                    ? string.Join("; ", Enum.GetValues<EduScenarioNeeds>().Where(n => n != EduScenarioNeeds.None && missing.HasFlag(n)).Select(explain))
                    : $"needs {missing}";
                log?.Invoke($"SKIP {scenario.Name}: {why}");
            }
            else
            {
                try
                {
                    scenario.Run(context);
                    result = new(scenario.Name, Skipped: false, Error: null);
                    log?.Invoke($"PASS {scenario.Name}");
                }
#pragma warning disable CA1031 // A runner reports every failure and goes on.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    result = new(scenario.Name, Skipped: false, Error: e);
                    log?.Invoke($"FAIL {scenario.Name}: {e.GetType().Name}: {e.Message}");
                }
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>The identification register reads edu 1.0.</summary>
    /// <param name="context">The context.</param>
    public static void Identify(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Expect("identification", EduRegisterBlock.Identification.ResetValue.Raw, context.Driver.Identification);
        (int major, int minor) = context.Driver.Identify();
        Expect("version", "1.0", $"{major}.{minor}");
    }

    /// <summary>The liveness register inverts what is written, for several patterns.</summary>
    /// <param name="context">The context.</param>
    public static void Liveness(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (uint pattern in (ReadOnlySpan<uint>)[0, 0xffff_ffff, 0x1234_5678, 0xa5a5_a5a5, 0x0000_0001])
        {
            Expect($"liveness after writing 0x{pattern:x8}", ~pattern, context.Driver.CheckLiveness(pattern));
        }
    }

    /// <summary>Factorials by polling, including 13! which wraps in 32 bits.</summary>
    /// <param name="context">The context.</param>
    public static void FactorialPoll(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (uint n in (ReadOnlySpan<uint>)[0, 1, 5, 10, 12, 13])
        {
            Expect($"{n}!", FactorialOf(n), context.Driver.ComputeFactorial(n, context.Timeout));
        }
    }

    /// <summary>A factorial with <see cref="IoSysMap.PollAsync{T}"/>.</summary>
    /// <param name="context">The context.</param>
    public static void FactorialPollAsync(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        uint result = context.Driver.ComputeFactorialAsync(8, context.Timeout).GetAwaiter().GetResult();
        Expect("8!", FactorialOf(8), result);
    }

    /// <summary>Software-raised interrupt bits appear in the status and are cleared by acknowledging.</summary>
    /// <param name="context">The context.</param>
    public static void InterruptRaiseAcknowledge(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        EduDriver driver = context.Driver;
        uint before = driver.InterruptStatus;
        driver.RaiseInterrupt(SoftwareIrq);
        Expect("interrupt status after raising 0x80000000", before | SoftwareIrq, driver.InterruptStatus);
        driver.AcknowledgeInterrupt(SoftwareIrq);
        Expect("interrupt status after acknowledging", before & ~SoftwareIrq, driver.InterruptStatus);
    }

    /// <summary>Unbacked offsets read all ones: 4 bytes at 0x10 and 0x40, 8 bytes at 0x100 and 0xa0.</summary>
    /// <param name="context">The context.</param>
    public static void UnbackedReadsOnes(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IoSysMap map = context.Driver.Registers;
        Expect("4-byte read at 0x10", 0xffff_ffffu, map.Read32(0x10));
        Expect("4-byte read at 0x40", 0xffff_ffffu, map.Read32(0x40));
        Expect("8-byte read at 0x100", ulong.MaxValue, map.Read64(0x100));
        Expect("8-byte read at 0xa0", ulong.MaxValue, map.Read64(0xa0));
    }

    /// <summary>
    /// The driver's map refuses a 1-byte read at 0x00, an 8-byte read at 0x08 and a 2-byte write at 0x80 with
    /// <see cref="IoAccessException"/> (<see cref="IoAccessError.WidthRefused"/>), and the refused write changed nothing.
    /// </summary>
    /// <param name="context">The context.</param>
    public static void CheckedWidthsRefused(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IoSysMap<EduRegisterBlock> regs = context.Driver.Registers;
        IoSysMap map = regs; // Untyped: the wrong widths below are made on purpose.
        EduRegisterBlock.DmaCount.Write(regs, default(EduRegisterBlock.DmaCount).WithBytes(0x40));
        ExpectRefused("1-byte read at 0x00", () => map.Read8(EduRegisterBlock.Identification.Offset));
        ExpectRefused("8-byte read at 0x08", () => map.Read64(EduRegisterBlock.Factorial.Offset));
        ExpectRefused("2-byte write at 0x90", () => map.Write16(EduRegisterBlock.DmaCount.Offset, 0x1234));
        ExpectRefused("4-byte bulk read at 0x00 with 1-byte accesses", () => map.ReadBytes(0, new byte[4], AccessWidths.Bits8));
        Expect("DMA count after the refused write", 0x40UL, EduRegisterBlock.DmaCount.Read(regs).Bytes);
    }

    /// <summary>
    /// Through <see cref="UnsafeIoSysMap"/>, which skips the checks, an 8-byte read at 0x08 reads all ones and an
    /// 8-byte write at 0x00 reaches neither the identification register nor the liveness register in its upper half:
    /// what edu does with widths it refuses. (The write is at 0x00, not 0x04: an 8-byte access at 0x04 is misaligned,
    /// which is an alignment fault on arm64 device memory.)
    /// </summary>
    /// <param name="context">The context.</param>
    public static void RawWideAccessBelow0x80(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IoSysMap<EduRegisterBlock> regs = context.Driver.Registers;
        IoSysMap map = regs;
        Expect("raw 8-byte read at 0x08", ulong.MaxValue, UnsafeIoSysMap.Read64(map, EduRegisterBlock.Factorial.Offset));
        Expect("raw 8-byte read at 0x00", ulong.MaxValue, UnsafeIoSysMap.Read64(map, EduRegisterBlock.Identification.Offset));
        context.Driver.CheckLiveness(0x1111_1111);
        UnsafeIoSysMap.Write64(map, EduRegisterBlock.Identification.Offset, 0);
        Expect("identification after a raw 8-byte write", EduRegisterBlock.Identification.ResetValue.Raw, EduRegisterBlock.Identification.Read(regs).Raw);
        Expect("liveness after a raw 8-byte write over it", ~0x1111_1111u, EduRegisterBlock.Liveness.Read(regs).Value);
    }

    /// <summary>DMA registers read back what was written at 8 bytes; a 4-byte write zero-extends; the upper half is not a register.</summary>
    /// <param name="context">The context.</param>
    public static void DmaRegisters(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IoSysMap<EduRegisterBlock> regs = context.Driver.Registers;
        IoSysMap map = regs; // 4-byte accesses to the 8-byte registers, at their offsets, on purpose.
        EduRegisterBlock.DmaSource.Write(regs, default(EduRegisterBlock.DmaSource).WithAddress(0x0123_4567_89ab_cdef));
        Expect("DMA source after an 8-byte write", 0x0123_4567_89ab_cdefUL, EduRegisterBlock.DmaSource.Read(regs).Address);
        Expect("DMA source, 4-byte read", 0x89ab_cdefu, map.Read32(EduRegisterBlock.DmaSource.Offset));
        map.Write32(EduRegisterBlock.DmaSource.Offset, 0x1000);
        Expect("DMA source after a 4-byte write", 0x1000UL, EduRegisterBlock.DmaSource.Read(regs).Address);
        Expect("4-byte read at 0x84 (not a register)", 0xffff_ffffu, map.Read32(EduRegisterBlock.DmaSource.Offset + 4));
        EduRegisterBlock.DmaDestination.Write(regs, default(EduRegisterBlock.DmaDestination).WithAddress(DmaBufferAddress));
        EduRegisterBlock.DmaCount.Write(regs, default(EduRegisterBlock.DmaCount).WithBytes(16));
        Expect("DMA destination", DmaBufferAddress, EduRegisterBlock.DmaDestination.Read(regs).Address);
        Expect("DMA count", 16UL, EduRegisterBlock.DmaCount.Read(regs).Bytes);
        EduRegisterBlock.DmaCommand.Write(regs, default(EduRegisterBlock.DmaCommand).WithDirection(EduDmaDirection.ToRam)); // Without the start bit: ignored.
        Expect("DMA command's start bit after a write without it", false, EduRegisterBlock.DmaCommand.Read(regs).Start);
    }

    /// <summary>A factorial completed by interrupt: the factorial bit is raised, then acknowledged.</summary>
    /// <param name="context">The context (with interrupts).</param>
    public static void FactorialInterrupt(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IEduInterrupts interrupts = context.Interrupts ?? throw new EduScenarioFailedException("factorial-interrupt needs interrupts.");
        Expect("7! by interrupt", FactorialOf(7), context.Driver.ComputeFactorialWithInterrupt(7, interrupts, context.Timeout));
        Expect("factorial interrupt bit after acknowledging", 0u, context.Driver.InterruptStatus & EduDriver.FactorialInterrupt);
        Expect("status after the interrupt factorial", 0u, EduRegisterBlock.Status.Read(context.Driver.Registers).Raw);
    }

    /// <summary>A software-raised interrupt is delivered; acknowledging clears it.</summary>
    /// <param name="context">The context (with interrupts).</param>
    public static void InterruptRaiseDelivered(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IEduInterrupts interrupts = context.Interrupts ?? throw new EduScenarioFailedException("irq-raise-interrupt needs interrupts.");
        interrupts.Enable();
        context.Driver.RaiseInterrupt(SoftwareIrq);
        uint status = context.Driver.WaitForInterrupt(SoftwareIrq, interrupts, context.Timeout);
        Expect("interrupt status seen by the handler", SoftwareIrq, status & SoftwareIrq);
        Expect("interrupt status after acknowledging", 0u, context.Driver.InterruptStatus & SoftwareIrq);
    }

    /// <summary>DMA round trip, polling the command register.</summary>
    /// <param name="context">The context (with a DMA buffer).</param>
    public static void DmaRoundTripPoll(EduScenarioContext context) => DmaRoundTrip(context, interrupts: null);

    /// <summary>DMA round trip, waiting for the DMA interrupt.</summary>
    /// <param name="context">The context (with a DMA buffer and interrupts).</param>
    public static void DmaRoundTripInterrupt(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        DmaRoundTrip(context, context.Interrupts ?? throw new EduScenarioFailedException("dma-round-trip-interrupt needs interrupts."));
    }

    /// <summary>
    /// The seed's pattern: firmware bytes written as u8 at incremental offsets 0, 1, 2, ... n-1 into a DMA buffer, sent
    /// to the device buffer by DMA and fetched back into another part of the buffer, compared byte for byte.
    /// </summary>
    /// <param name="context">The context (with a DMA buffer).</param>
    public static void FirmwareUpload(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IDmaBuffer dma = RequireDma(context, 2 * 1021);
        const int length = 1021; // Odd, so the tail is not a multiple of any access width.
        var firmware = new byte[length];
        for (int i = 0; i < length; i++)
        {
            firmware[i] = (byte)((i * 37) ^ (i >> 3) ^ 0x5a);
        }

        IoSysMap ram = dma.Map;
        using (IoSysMapLease buffer = ram.Lease()) // One lease for the loop: each write is one check and one store.
        {
            for (int i = 0; i < length; i++)
            {
                buffer.Write8(i, firmware[i]);
            }
        }

        ram.Fill(length, length, 0);
        context.Driver.CopyToDevice(dma.BusAddress, 0x123, length, context.Timeout);
        context.Driver.CopyFromDevice(0x123, dma.BusAddress + length, length, context.Timeout);
        for (int i = 0; i < length; i++)
        {
            byte written = ram.Read8(i);
            byte back = ram.Read8(length + i);
            if (written != firmware[i] || back != firmware[i])
            {
                throw new EduScenarioFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"firmware byte {i}: wrote 0x{firmware[i]:x2}, buffer holds 0x{written:x2}, read back through the device 0x{back:x2}."));
            }
        }
    }

    /// <summary>
    /// Isolation: a buffer the device reached by DMA while mapped (the control) is unmapped from the IOMMU, refilled,
    /// and a DMA is aimed at its old bus address; not one of its bytes may change. Where the target reads the IOMMU's
    /// log (the simulated IOMMU), a new fault line must name that address. edu itself reports nothing: it completes
    /// the command as after any transfer.
    /// </summary>
    /// <param name="context">The context (with a DMA buffer and an isolating <see cref="EduScenarioContext.DmaAllocator"/>).</param>
    public static void IommuIsolation(EduScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        const int length = 256;
        const byte untouched = 0x5a;
        IEduDmaAllocator allocator = context.DmaAllocator is { IsIsolated: true } a ? a
            : throw new EduScenarioFailedException("iommu-isolation needs DMA buffers behind an IOMMU.");
        IDmaBuffer source = RequireDma(context, length);
        for (int i = 0; i < length; i++)
        {
            source.Map.Write8(i, (byte)((i * 11) + 5));
        }

        context.Driver.CopyToDevice(source.BusAddress, 0, length, context.Timeout);
        using IEduDmaBuffer victim = allocator.Allocate(4096);
        RequireWithinMask(context, victim, 4096);

        // Control: while mapped, the same DMA lands in the buffer, so the address is right and the test can fail.
        victim.Map.Fill(0, victim.Map.Size, untouched);
        context.Driver.CopyFromDevice(0, victim.BusAddress, length, context.Timeout);
        Expect("first byte DMAed into the mapped buffer (control)", (byte)5, victim.Map.Read8(0));
        Expect("last byte DMAed into the mapped buffer (control)", unchecked((byte)(((length - 1) * 11) + 5)), victim.Map.Read8(length - 1));

        victim.Map.Fill(0, victim.Map.Size, untouched);
        int faultsBefore = allocator.FaultLog?.Count ?? 0;
        ulong old = victim.BusAddress;
        victim.Unmap();
        Expect("buffer mapped after Unmap", false, victim.IsMapped);
        context.Driver.CopyFromDevice(0, old, length, context.Timeout);

        var after = new byte[victim.Map.Size];
        victim.Map.ReadBytes(0, after);
        int changed = after.Count(b => b != untouched);
        if (changed != 0)
        {
            int first = Array.FindIndex(after, b => b != untouched);
            throw new EduScenarioFailedException(string.Create(CultureInfo.InvariantCulture,
                $"DMA to the unmapped bus address 0x{old:x} changed {changed} bytes of the buffer, the first at offset {first} (0x{after[first]:x2})."));
        }

        if (allocator.FaultLog is { } log)
        {
            string hex = string.Create(CultureInfo.InvariantCulture, $"0x{old:x}");
            if (log.Count <= faultsBefore || !log.Skip(faultsBefore).Any(l => l.Contains(hex, StringComparison.Ordinal)))
            {
                throw new EduScenarioFailedException($"The IOMMU logged no fault at {hex} for the DMA to the unmapped buffer ({log.Count - faultsBefore} new lines).");
            }
        }
    }

    private static void DmaRoundTrip(EduScenarioContext context, IEduInterrupts? interrupts)
    {
        ArgumentNullException.ThrowIfNull(context);
        const int length = 2048;
        IDmaBuffer dma = RequireDma(context, 2 * length);
        IoSysMap ram = dma.Map;
        var pattern = new byte[length];
        for (int i = 0; i < length; i++)
        {
            pattern[i] = (byte)(i * 7 + 3 + (interrupts is null ? 0 : 1));
        }

        ram.WriteBytes(0, pattern);
        ram.Fill(length, length, 0xcc);
        // Device offset 0x400, not 0x800: a transfer that ends exactly at the end of edu's 4 KiB buffer makes QEMU
        // before 8.0 (an off-by-one in its range check) call hw_error and abort the whole VM.
        context.Driver.CopyToDevice(dma.BusAddress, 0x400, length, context.Timeout, interrupts);
        context.Driver.CopyFromDevice(0x400, dma.BusAddress + length, length, context.Timeout, interrupts);
        var back = new byte[length];
        ram.ReadBytes(length, back);
        int first = back.AsSpan().CommonPrefixLength(pattern);
        if (first != length)
        {
            throw new EduScenarioFailedException(string.Create(CultureInfo.InvariantCulture,
                $"DMA round trip: byte {first} came back as 0x{back[first]:x2}, expected 0x{pattern[first]:x2}."));
        }

        if (interrupts is not null)
        {
            Expect("DMA interrupt bit after acknowledging", 0u, context.Driver.InterruptStatus & EduDriver.DmaInterrupt);
        }
    }

    private static IDmaBuffer RequireDma(EduScenarioContext context, long size) =>
        RequireWithinMask(context, context.Dma ?? throw new EduScenarioFailedException("This scenario needs a DMA buffer."), size);

    private static IDmaBuffer RequireWithinMask(EduScenarioContext context, IDmaBuffer dma, long size)
    {
        ulong mask = context.Driver.DmaMask;
        // Overflow-safe: the last byte, BusAddress + size - 1, must be within the mask (mask - size + 1 can wrap).
        if (dma.Map.Size < size || dma.BusAddress > mask || (size > 0 && (ulong)(size - 1) > mask - dma.BusAddress))
        {
            throw new EduScenarioFailedException(string.Create(CultureInfo.InvariantCulture,
                $"The DMA buffer must hold {size} bytes within the DMA mask 0x{mask:x}; it has {dma.Map.Size} bytes at bus address 0x{dma.BusAddress:x}."));
        }

        return dma;
    }

    private static void ExpectRefused(string what, Action access)
    {
        try
        {
            access();
        }
        catch (IoAccessException e) when (e.Error == IoAccessError.WidthRefused)
        {
            return;
        }

        throw new EduScenarioFailedException($"{what}: expected IoAccessException (WidthRefused), but the access was made.");
    }

    private static void Expect<T>(string what, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new EduScenarioFailedException(string.Format(CultureInfo.InvariantCulture, "{0}: expected {1}, got {2}.", what, Format(expected), Format(actual)));
        }
    }

    private static string Format<T>(T value) => value switch
    {
        uint u => string.Create(CultureInfo.InvariantCulture, $"0x{u:x8}"),
        ulong u => string.Create(CultureInfo.InvariantCulture, $"0x{u:x16}"),
        _ => value?.ToString() ?? "null",
    };
}
