using System.Diagnostics;
using IoSys.Samples.Edu.Demo;
using IoSys.Simulation;

namespace IoSys.Samples.Edu.Tests;

/// <summary>edu-demo: its scenarios on sim:edu (behind the simulated IOMMU) in-process, and the built program.</summary>
public sealed class EduDemoTests
{
    private static readonly EduDeviceOptions Fast = new() { FactorialTime = TimeSpan.FromMilliseconds(1), DmaTime = TimeSpan.FromMilliseconds(1) };

    private static (int Code, string[] Lines) Run(IEduTarget target)
    {
        using var output = new StringWriter();
        int code = EduDemo.Run(target, output, TimeSpan.FromSeconds(5));
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Every_scenario_passes_on_sim_edu_isolation_included()
    {
        using var target = (SimulatedEduTarget)EduTargets.Open("sim:edu", Fast);
        (int code, string[] lines) = Run(target);
        Assert.Equal(0, code);
        Assert.Equal([.. EduDriverScenarios.All.Select(s => "PASS " + s.Name)], lines[..^1]);
        Assert.Contains("PASS iommu-isolation", lines);
        Assert.Equal($"edu-demo sim:edu: {EduDriverScenarios.All.Count} passed, 0 failed, 0 skipped", lines[^1]);
        // The isolation scenario's DMA to the unmapped buffer is the only fault, and edu's own log is clean.
        SimulatedIommuFault fault = Assert.Single(target.Iommu.Faults);
        Assert.Equal((AccessDirection.Write, 256L), (fault.Direction, fault.Length));
        Assert.DoesNotContain(target.Device.Faults, f => f.Width == 0); // No DMA faults on the device's side.
        Assert.Empty(target.Iommu.Mappings); // Every buffer was unmapped when disposed.
    }

    [Fact]
    public void Isolation_fails_when_unmapping_does_not_take_the_buffer_away()
    {
        using var sim = new SimulatedEdu(Fast);
        var leaky = new LeakyAllocator(sim.Device.SystemMemory);
        var context = new EduScenarioContext(sim.Driver, sim.Interrupts, sim.Dma) { DmaAllocator = leaky };
        EduScenarioFailedException e = Assert.Throws<EduScenarioFailedException>(() => EduDriverScenarios.IommuIsolation(context));
        // The pattern i * 11 + 5 takes every byte value once, so one of the 256 bytes equals the fill byte 0x5a.
        Assert.Contains("changed 255 bytes of the buffer, the first at offset 0 (0x05)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Isolation_fails_when_the_iommu_logs_no_fault_for_the_refused_dma()
    {
        using var target = new SimulatedEduTarget(Fast);
        var silent = new SilentLog(target.Dma!);
        using IEduDmaBuffer dma = silent.Allocate(8192);
        var context = new EduScenarioContext(new EduDriver(target.Bar0), target.Interrupts, dma) { DmaAllocator = silent };
        EduScenarioFailedException e = Assert.Throws<EduScenarioFailedException>(() => EduDriverScenarios.IommuIsolation(context));
        Assert.Contains("logged no fault", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_without_dma_or_interrupts_skips_those_scenarios_saying_why()
    {
        using var target = new RegistersOnly(new SimulatedEduTarget(Fast));
        (int code, string[] lines) = Run(target);
        Assert.Equal(0, code);
        Assert.Contains("SKIP dma-round-trip-poll: no dma here", lines);
        Assert.Contains("SKIP dma-round-trip-interrupt: no interrupts here; no dma here", lines);
        Assert.Contains("SKIP iommu-isolation: no dma here; no isolation here", lines);
        Assert.Contains("PASS identify", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_scenario_makes_the_exit_code_1_and_names_what_failed()
    {
        using var target = new SimulatedEduTarget(Fast);
        target.Device.Poke(0x00, 0x020000ed); // Claims version 2.0.
        (int code, string[] lines) = Run(target);
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.StartsWith("FAIL identify: EduScenarioFailedException: identification: expected 0x010000ed, got 0x020000ed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sim:nothing")]
    [InlineData("edu")]
    [InlineData("uio:")]
    [InlineData("   ")]
    public void Bad_targets_are_refused_with_a_message(string text) =>
        Assert.ThrowsAny<ArgumentException>(() => EduTargets.Open(text));

    [Fact]
    public void The_built_program_runs_sim_edu_and_exits_0()
    {
        (int code, string stdout, string stderr) = RunProgram("sim:edu");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("PASS iommu-isolation\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith($"edu-demo sim:edu: {EduDriverScenarios.All.Count} passed, 0 failed, 0 skipped\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uio:999", "cannot open uio:999")]
    [InlineData("vfio:0000:00:02.0", "cannot open vfio:0000:00:02.0")]
    [InlineData("bogus", "is not a target")]
    public void The_built_program_refuses_what_it_cannot_open_with_exit_2(string target, string message)
    {
        (int code, string stdout, string stderr) = RunProgram(target);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    private static (int Code, string StdOut, string StdErr) RunProgram(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Join(AppContext.BaseDirectory, "edu-demo.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("edu-demo did not exit within 60 s");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>An "IOMMU" whose unmap does nothing: what the isolation scenario must catch.</summary>
    private sealed class LeakyAllocator(SimulatedSystemMemory memory) : IEduDmaAllocator
    {
        public bool IsIsolated => true;

        public IReadOnlyList<string>? FaultLog => null;

        public IEduDmaBuffer Allocate(long size) => new Leaky(memory.Allocate(size));

        private sealed class Leaky(SimulatedDmaBuffer buffer) : IEduDmaBuffer
        {
            public IoSysMap Map => buffer.Map;

            public ulong BusAddress => buffer.BusAddress;

            public bool IsMapped { get; private set; } = true;

            public void Unmap() => IsMapped = false; // The device can still reach it.

            public void Dispose() => buffer.Dispose();
        }
    }

    /// <summary>The simulated IOMMU's buffers, but a log that stays empty.</summary>
    private sealed class SilentLog(IEduDmaAllocator inner) : IEduDmaAllocator
    {
        public bool IsIsolated => true;

        public IReadOnlyList<string>? FaultLog => [];

        public IEduDmaBuffer Allocate(long size) => inner.Allocate(size);
    }

    /// <summary>A target that offers only BAR0.</summary>
    private sealed class RegistersOnly(SimulatedEduTarget inner) : IEduTarget
    {
        public string Name => "registers-only";

        public IoSysMap Bar0 => inner.Bar0;

        public ulong DmaMask => inner.DmaMask;

        public IEduInterrupts? Interrupts => null;

        public IEduDmaAllocator? Dma => null;

        public string WhyMissing(EduScenarioNeeds need) => $"no {need.ToString().ToLowerInvariant()} here";

        public void Dispose() => inner.Dispose();
    }
}
