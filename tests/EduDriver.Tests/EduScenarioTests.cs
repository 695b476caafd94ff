using IoSys.Devices.Edu;
using IoSys.Simulation;
using static IoSys.Devices.Edu.EduRegisters;

namespace IoSys.Samples.Edu.Tests;

/// <summary>The edu driver's scenarios, the same ones the QEMU guest suite runs, on the simulated device.</summary>
public sealed class EduScenarioTests
{
    public static TheoryData<string> ScenarioNames => [.. EduDriverScenarios.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Scenario_passes_on_the_simulated_device(string name)
    {
        EduScenario scenario = EduDriverScenarios.Find(name);
        if ((scenario.Needs & EduScenarioNeeds.Isolation) != 0)
        {
            // Isolation needs the simulated IOMMU: sim:edu's target (EduDemoTests runs every scenario there too).
            using var target = new IoSys.Samples.Edu.Demo.SimulatedEduTarget(new EduDeviceOptions { FactorialTime = TimeSpan.FromMilliseconds(1), DmaTime = TimeSpan.FromMilliseconds(1) });
            using IEduDmaBuffer buffer = target.Dma!.Allocate(8192);
            scenario.Run(new EduScenarioContext(new EduDriver(target.Bar0), target.Interrupts, buffer) { DmaAllocator = target.Dma });
            Assert.Single(target.Iommu.Faults);
            return;
        }

        using var sim = new SimulatedEdu();
        scenario.Run(sim.CreateContext());
        Assert.DoesNotContain(sim.Device.Faults, f => f.Width == 0); // No DMA faults.
        Assert.False(sim.Device.Interrupt.IsAsserted); // Each scenario leaves the interrupt low.
    }

    [Fact]
    public void All_scenarios_run_in_order_on_one_device()
    {
        using var sim = new SimulatedEdu();
        var log = new List<string>();
        IReadOnlyList<EduScenarioResult> results = EduDriverScenarios.RunAll(sim.CreateContext(), log.Add);
        // No IOMMU on this device (its DMA reaches SimulatedSystemMemory by bus address): only isolation is skipped.
        Assert.All(results.Where(r => r.Name != "iommu-isolation"), r => Assert.True(r.Passed, $"{r.Name}: {r.Error}"));
        Assert.True(results.Single(r => r.Name == "iommu-isolation").Skipped);
        Assert.Equal(EduDriverScenarios.All.Count - 1, log.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.Contains("SKIP iommu-isolation: needs Isolation", log);
    }

    [Fact]
    public void Scenarios_that_need_what_the_context_lacks_are_skipped()
    {
        using var sim = new SimulatedEdu();
        IReadOnlyList<EduScenarioResult> results = EduDriverScenarios.RunAll(new EduScenarioContext(sim.Driver));
        Assert.Contains(results, r => r is { Name: "factorial-interrupt", Skipped: true });
        Assert.Contains(results, r => r is { Name: "dma-round-trip-poll", Skipped: true });
        Assert.Contains(results, r => r is { Name: "identify", Passed: true });
        Assert.DoesNotContain(results, r => r.Error is not null);
    }

    [Fact]
    public void On_a_strict_device_only_the_deliberately_refused_accesses_fail()
    {
        using var sim = new SimulatedEdu(new EduDeviceOptions { Strict = true, FactorialTime = TimeSpan.FromMilliseconds(1), DmaTime = TimeSpan.FromMilliseconds(1) });
        IReadOnlyList<EduScenarioResult> results = EduDriverScenarios.RunAll(sim.CreateContext());
        // Two scenarios make accesses edu does not accept, on purpose, to show what the real device does with them:
        // a raw 8-byte read below 0x80, and a 4-byte read of the upper half of the 8-byte DMA source register.
        // A strict device reports each with its offset and width; every other access the driver makes is accepted.
        Assert.Equal(["width-raw-wide-below-0x80", "dma-registers"], results.Where(r => r.Error is not null).Select(r => r.Name));
        SimulatedBusException raw = Assert.IsType<SimulatedBusException>(results.Single(r => r.Name == "width-raw-wide-below-0x80").Error);
        Assert.Equal((EduRegisterBlock.Factorial.Offset, 8), (raw.Offset, raw.Width));
        SimulatedBusException half = Assert.IsType<SimulatedBusException>(results.Single(r => r.Name == "dma-registers").Error);
        Assert.Equal((EduRegisterBlock.DmaSource.Offset + 4, 4), (half.Offset, half.Width));
    }

    [Fact]
    public void A_scenario_fails_with_expected_and_actual_when_the_device_misbehaves()
    {
        using var sim = new SimulatedEdu();
        sim.Device.Poke(EduRegisterBlock.Identification.Offset, 0x020000ed); // A device that claims version 2.0.
        EduScenarioFailedException e = Assert.Throws<EduScenarioFailedException>(() => EduDriverScenarios.Identify(sim.CreateContext()));
        Assert.Contains("expected 0x010000ed, got 0x020000ed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dma_scenario_fails_when_the_device_drops_the_transfer()
    {
        using var sim = new SimulatedEdu();
        // A DMA buffer the device cannot reach: the bus address is not in its system memory.
        var unreachable = new EduScenarioContext(sim.Driver, sim.Interrupts, new FakeDmaBuffer(sim.Buffer.Map, 0x0800_0000));
        Assert.Throws<EduScenarioFailedException>(() => EduDriverScenarios.DmaRoundTripPoll(unreachable));
        Assert.Contains(sim.Device.Faults, f => f.Reason.Contains("outside simulated system memory", StringComparison.Ordinal));
    }

    [Fact]
    public void Dma_above_the_default_28_bit_mask_works_when_device_and_driver_share_a_wider_mask()
    {
        // arm64 virt: RAM from 1 GiB, so the guest suite starts edu with dma_mask=0xffffffff and tells the driver.
        using var memory = new SimulatedSystemMemory(firstBusAddress: 0x4000_0000);
        var options = new EduDeviceOptions
        {
            DmaMask = 0xffff_ffff,
            SystemMemory = memory,
            FactorialTime = TimeSpan.FromMilliseconds(1),
            DmaTime = TimeSpan.FromMilliseconds(1),
        };
        using var sim = new SimulatedEdu(options);
        Assert.Equal(0xffff_ffffUL, sim.Driver.DmaMask);
        Assert.True(sim.Dma.BusAddress >= 0x4000_0000);
        EduDriverScenarios.DmaRoundTripPoll(sim.CreateContext());
        EduDriverScenarios.FirmwareUpload(sim.CreateContext());
        Assert.Empty(sim.Device.Faults);
    }

    [Fact]
    public void Dma_with_a_full_64_bit_mask_at_bus_address_zero_is_not_refused()
    {
        // DmaMask - busAddress + 1 wraps to 0 for a full mask at bus address 0: the checks must not refuse every transfer.
        using var memory = new SimulatedSystemMemory(firstBusAddress: 0);
        var options = new EduDeviceOptions
        {
            DmaMask = ulong.MaxValue,
            SystemMemory = memory,
            FactorialTime = TimeSpan.FromMilliseconds(1),
            DmaTime = TimeSpan.FromMilliseconds(1),
        };
        using var sim = new SimulatedEdu(options);
        Assert.Equal(ulong.MaxValue, sim.Driver.DmaMask);
        Assert.Equal(0UL, sim.Dma.BusAddress);
        EduDriverScenarios.DmaRoundTripPoll(sim.CreateContext());
        EduDriverScenarios.DmaRoundTripInterrupt(sim.CreateContext());
        Assert.Empty(sim.Device.Faults);
    }

    [Fact]
    public void The_driver_refuses_a_bus_address_beyond_its_dma_mask_before_programming_the_device()
    {
        using var sim = new SimulatedEdu();
        var driver = new EduDriver(sim.Device.Map); // Default 28-bit mask.
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(
            () => driver.CopyToDevice(0x4000_0000, 0, 16, TimeSpan.FromSeconds(1)));
        Assert.Contains("0x40000000", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xfffffff", e.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, sim.Device.Peek(EduRegisterBlock.DmaCount.Offset)); // Nothing was written.
    }

    [Fact]
    public void Driver_runs_unchanged_over_a_traced_map_and_the_trace_shows_its_accesses()
    {
        using var sim = new SimulatedEdu();
        IoSysMap traced = TracingMap.Wrap(sim.Device.Map, out AccessTrace trace);
        var driver = new EduDriver(traced);
        EduDriverScenarios.Liveness(new EduScenarioContext(driver));
        Assert.Equal(10, trace.Count);
        Assert.All(trace.Records, r => Assert.Equal((EduRegisterBlock.Liveness.Offset, 4), (r.Offset, r.Width)));
        Assert.Equal(~0x1234_5678UL & 0xffff_ffff, trace.Records[5].Value);
    }

    [Fact]
    public void Driver_writes_the_dma_commands_of_the_spec()
    {
        using var sim = new SimulatedEdu();
        IoSysMap traced = TracingMap.Wrap(sim.Device.Map, out AccessTrace trace);
        var driver = new EduDriver(traced);
        driver.CopyToDevice(sim.Dma.BusAddress, 0, 16, TimeSpan.FromSeconds(5));
        driver.CopyFromDevice(0, sim.Dma.BusAddress, 16, TimeSpan.FromSeconds(5), sim.Interrupts);

        // edu.rst: bit 0 start, bit 1 direction (1 = to RAM), bit 2 raise the DMA interrupt; always 8-byte writes.
        Assert.Equal(
            [(8, 0x1UL), (8, 0x7UL)],
            trace.Records.Where(static r => r is { Direction: AccessDirection.Write, Offset: 0x98 }).Select(static r => (r.Width, r.Value)));
        Assert.Equal(0x100u, EduDriver.DmaInterrupt);
        Assert.Equal(0x001u, EduDriver.FactorialInterrupt);
    }

    [Fact]
    public void Driver_refuses_a_map_smaller_than_the_bar()
    {
        using IoSysMap small = IoSysMap.Allocate(0x1000, IoMapOptions.IoMemory);
        Assert.Throws<IoAccessException>(() => new EduDriver(small));
    }

    [Fact]
    public void Driver_applies_edus_width_rules_to_a_bar_opened_without_them()
    {
        using var sim = new SimulatedEdu();
        // A BAR as a generic opener would give it: I/O memory, every width.
        IoSysMap plain = IoSysMap.Create(sim.Device, BarSize, IoMapOptions.IoMemory);
        var driver = new EduDriver(plain);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => driver.Registers.Read8(0)).Error);
        EduDriverScenarios.CheckedWidthsRefused(new EduScenarioContext(driver));
    }

    private sealed class FakeDmaBuffer(IoSysMap map, ulong busAddress) : IDmaBuffer
    {
        public IoSysMap Map => map;

        public ulong BusAddress => busAddress;
    }
}
