namespace IoSys.Simulation.Tests;

public sealed class InterruptAndClockTests
{
    [Fact]
    public void Rising_level_is_delivered_once_then_masked_until_enabled()
    {
        var line = new SimulatedInterruptLine("t");
        uint raised = 0;
        line.Raised += (_, count) => raised = count;
        line.SetLevel(true);
        Assert.Equal(1u, line.Count);
        Assert.Equal(1u, raised);
        Assert.False(line.IsEnabled);
        line.SetLevel(false);
        line.SetLevel(true); // Masked: not delivered.
        Assert.Equal(1u, line.Count);
        line.EnableInterrupts(); // Still asserted: level-triggered, delivered at once.
        Assert.Equal(2u, line.Count);
    }

    [Fact]
    public async Task Wait_returns_a_delivery_not_yet_reported_then_blocks_until_the_next()
    {
        var line = new SimulatedInterruptLine("t");
        line.SetLevel(true);
        Assert.Equal(1u, line.WaitForInterrupt(TimeSpan.FromSeconds(1)));
        Assert.Throws<TimeoutException>(() => line.WaitForInterrupt(TimeSpan.FromMilliseconds(20)));
        line.SetLevel(false);
        line.EnableInterrupts();
        Task<uint> wait = line.WaitForInterruptAsync(TimeSpan.FromSeconds(5));
        Assert.False(wait.IsCompleted);
        line.SetLevel(true);
        Assert.Equal(2u, await wait);
    }

    [Fact]
    public void Disabled_line_delivers_nothing()
    {
        var line = new SimulatedInterruptLine("t");
        line.DisableInterrupts();
        line.SetLevel(true);
        Assert.Equal(0u, line.Count);
        Assert.True(line.IsAsserted);
    }

    [Fact]
    public void Manual_clock_fires_timers_in_due_order_only_when_advanced()
    {
        var clock = new ManualClock();
        var fired = new List<string>();
        using ITimer late = clock.CreateTimer(_ => fired.Add($"late@{clock.Elapsed.TotalMilliseconds}"), null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        using ITimer early = clock.CreateTimer(_ => fired.Add($"early@{clock.Elapsed.TotalMilliseconds}"), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        using ITimer now = clock.CreateTimer(_ => fired.Add("now"), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.Empty(fired);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(["now", "early@10"], fired);
        Assert.Equal(TimeSpan.FromMilliseconds(20), clock.Elapsed);
        late.Dispose();
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(2, fired.Count);
    }

    [Fact]
    public void Manual_clock_periodic_timer_fires_each_period()
    {
        var clock = new ManualClock();
        int ticks = 0;
        using ITimer timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5));
        clock.Advance(TimeSpan.FromMilliseconds(23));
        Assert.Equal(4, ticks);
    }

    [Fact]
    public void Manual_clock_timer_change_after_dispose_returns_false_and_never_fires()
    {
        var clock = new ManualClock();
        int fired = 0;
        ITimer timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        Assert.True(timer.Change(TimeSpan.FromMilliseconds(2), Timeout.InfiniteTimeSpan));
        timer.Dispose();
        Assert.False(timer.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, fired);
    }

    [Fact]
    public void System_memory_resolves_bus_addresses_within_one_buffer_only()
    {
        using var memory = new SimulatedSystemMemory();
        SimulatedDmaBuffer a = memory.Allocate(100);
        SimulatedDmaBuffer b = memory.Allocate(4096);
        Assert.Equal(0UL, a.BusAddress % 4096);
        Assert.True(b.BusAddress >= a.BusAddress + 8192); // A guard page between them.
        a.Map.Write8(99, 0x5a);
        Assert.True(memory.TryResolve(a.BusAddress + 99, 1, out IoSysMap window));
        Assert.Equal(0x5a, window.Read8(0));
        Assert.False(memory.TryResolve(a.BusAddress + 99, 2, out _));
        Assert.False(memory.TryResolve(a.BusAddress + 4096, 1, out _));
        b.Dispose();
        Assert.False(memory.TryResolve(b.BusAddress, 1, out _));
    }
}
