using System.Diagnostics;
using IoSys.Linux.Vfio;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Tests;

/// <summary>The eventfd side of VFIO interrupts, on real eventfds signalled by the test as the kernel would.</summary>
public sealed class VfioInterruptTests
{
    private static SafeFileHandle NewEventFd()
    {
        int fd = VfioNative.EventFd(0, VfioNative.EfdCloexec | VfioNative.EfdNonblock);
        Assert.True(fd >= 0);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static unsafe void Signal(VfioIrq irq, ulong times = 1)
    {
        ulong value = times;
        Assert.Equal(8, (int)LibC.Write((int)irq.EventFd.DangerousGetHandle(), &value, 8));
    }

    private static VfioInterrupts Make(int vectors, List<(uint Flags, uint Count)>? calls = null, VfioIrqKind kind = VfioIrqKind.Msix) =>
        new("0000:00:02.0", kind, [.. Enumerable.Range(0, vectors).Select(_ => NewEventFd())], (f, c) => calls?.Add((f, c)), null);

    [Fact]
    public void Wait_returns_the_count_since_the_last_wait()
    {
        using VfioInterrupts irqs = Make(1);
        Signal(irqs[0], 3);
        Assert.Equal(3UL, irqs[0].Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(0UL, irqs[0].Poll());
        Signal(irqs[0]);
        Assert.Equal(1UL, irqs[0].Poll());
    }

    [Fact]
    public void Wait_times_out_with_a_message_naming_device_kind_and_vector()
    {
        using VfioInterrupts irqs = Make(2);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() => irqs[1].Wait(TimeSpan.FromMilliseconds(120)));
        Assert.True(watch.ElapsedMilliseconds >= 100, $"returned after {watch.ElapsedMilliseconds} ms");
        Assert.Contains("0000:00:02.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("Msix", e.Message, StringComparison.Ordinal);
        Assert.Contains("vector 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<TimeoutException>(() => irqs[0].Wait(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => irqs[0].Wait(TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public void WaitAny_reports_the_vector_that_fired_and_leaves_the_others_counts()
    {
        using VfioInterrupts irqs = Make(3);
        Signal(irqs[2], 2);
        Assert.Equal((2, 2UL), irqs.WaitAny(TimeSpan.FromSeconds(5)));
        Signal(irqs[1]);
        Signal(irqs[2]);
        Assert.Equal((1, 1UL), irqs.WaitAny(TimeSpan.FromSeconds(5)));
        Assert.Equal(1UL, irqs[2].Wait(TimeSpan.Zero));
    }

    [Fact]
    public async Task WaitAsync_completes_when_the_vector_fires_and_cancellation_ends_a_wait_for_ever()
    {
        using VfioInterrupts irqs = Make(1);
        Task<ulong> pending = irqs[0].WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(30);
        Signal(irqs[0]);
        Assert.Equal(1UL, await pending);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => irqs[0].WaitAsync(Timeout.InfiniteTimeSpan, cts.Token));
    }

    [Fact]
    public async Task Dispose_ends_a_wait_in_progress_turns_the_interrupts_off_and_closes_the_eventfds()
    {
        var calls = new List<(uint, uint)>();
        VfioInterrupts irqs = Make(2, calls);
        Task<(int, ulong)> waiting = Task.Run(() => irqs.WaitAny(Timeout.InfiniteTimeSpan));
        await Task.Delay(60);
        irqs.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.Equal([(VfioNative.IrqSetDataNone | VfioNative.IrqSetActionTrigger, 0u)], calls); // SET_IRQS count 0: off
        Assert.All(irqs.Vectors, v => Assert.True(v.EventFd.IsClosed));
        Assert.Throws<ObjectDisposedException>(() => irqs[0].Poll());
        irqs.Dispose();
        Assert.Single(calls);
    }

    [Fact]
    public void Unmask_is_for_intx_only_and_sends_data_none_action_unmask()
    {
        var calls = new List<(uint, uint)>();
        using (VfioInterrupts intx = Make(1, calls, VfioIrqKind.Intx))
        {
            intx.Unmask();
            Assert.Equal((VfioNative.IrqSetDataNone | VfioNative.IrqSetActionUnmask, 1u), calls[0]);
        }

        using VfioInterrupts msi = Make(1, calls, VfioIrqKind.Msi);
        Assert.Throws<InvalidOperationException>(msi.Unmask);
    }
}
