using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>Poll/PollAsync: a condition met later by another thread, timeouts that name offset and value, cancellation.</summary>
public sealed class PollTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private static Thread SetLater(IoSysMap map, long offset, uint value, int delayMs)
    {
        var thread = new Thread(() =>
        {
            Thread.Sleep(delayMs);
            map.Write32(offset, value);
        });
        thread.Start();
        return thread;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Poll_returns_the_first_value_that_meets_the_condition_once_another_thread_writes_it(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        Thread writer = SetLater(map, 0x20, 0xD0E, 30);
        uint value = map.Poll<uint>(0x20, v => v == 0xD0E, Generous, TimeSpan.FromMilliseconds(intervalMs));
        writer.Join();
        Assert.Equal(0xD0Eu, value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task PollAsync_returns_the_value_once_another_thread_writes_it(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        Thread writer = SetLater(map, 0x24, 0xACE, 30);
        uint value = await map.PollAsync<uint>(0x24, v => v == 0xACE, Generous, TimeSpan.FromMilliseconds(intervalMs));
        writer.Join();
        Assert.Equal(0xACEu, value);
    }

    [Fact]
    public void A_sub_millisecond_interval_sleeps_a_whole_millisecond_instead_of_spinning()
    {
        // WaitOne truncates 0.1 ms to 0 ms; without rounding up, this poll would read the register tens of
        // thousands of times in 50 ms. Sleeping at least 1 ms per round bounds it near 50.
        using IoSysMap map = IoSysMap.Allocate(0x10, IoMapOptions.IoMemory);
        int reads = 0;
        Assert.Throws<IoPollTimeoutException>(() => map.Poll<uint>(0, _ => ++reads < 0, TimeSpan.FromMilliseconds(50), TimeSpan.FromTicks(1000)));
        Assert.InRange(reads, 2, 60);
    }

    [Fact]
    public async Task PollAsync_with_a_sub_millisecond_interval_waits_instead_of_spinning()
    {
        using IoSysMap map = IoSysMap.Allocate(0x10, IoMapOptions.IoMemory);
        int reads = 0;
        await Assert.ThrowsAsync<IoPollTimeoutException>(() => map.PollAsync<uint>(0, _ => ++reads < 0, TimeSpan.FromMilliseconds(50), TimeSpan.FromTicks(1000)));
        Assert.InRange(reads, 2, 60);
    }

    [Fact]
    public void Poll_timeout_names_the_offset_width_and_last_value()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        map.Write32(0x40, 0x1234ABCD);
        IoPollTimeoutException e = Assert.Throws<IoPollTimeoutException>(
            () => map.Poll<uint>(0x40, v => v == 0, TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(2)));
        Assert.Equal(0x40, e.Offset);
        Assert.Equal(4, e.Width);
        Assert.Equal(0x1234ABCDu, e.LastValue);
        Assert.Contains("0x40", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x1234abcd", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsAssignableFrom<TimeoutException>(e);
    }

    [Fact]
    public async Task PollAsync_timeout_names_the_offset_and_last_value()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100);
        map.Write16(0x12, 0xBEEF);
        IoPollTimeoutException e = await Assert.ThrowsAsync<IoPollTimeoutException>(
            () => map.PollAsync<ushort>(0x12, v => v == 1, TimeSpan.FromMilliseconds(30)));
        Assert.Equal(0x12, e.Offset);
        Assert.Equal(2, e.Width);
        Assert.Equal(0xBEEFu, e.LastValue);
        Assert.Contains("0x12", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xbeef", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_condition_met_exactly_at_the_deadline_is_not_a_timeout()
    {
        // Zero timeout: one read, then the final read after the deadline, which already holds.
        using IoSysMap map = IoSysMap.Allocate(0x10);
        map.Write8(0, 5);
        Assert.Equal(5, map.Poll<byte>(0, v => v == 5, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Poll_stops_when_cancelled(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x10);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.ThrowsAny<OperationCanceledException>(
            () => map.Poll<uint>(0, v => v == 1, Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(intervalMs), cancel.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task PollAsync_stops_when_cancelled(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x10);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => map.PollAsync<uint>(0, v => v == 1, Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(intervalMs), cancel.Token));
    }

    [Fact]
    public void Poll_of_a_refused_access_throws_the_access_error_and_odd_sizes_are_rejected()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap map = IoSysMap.Create(backend, 0x100, new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits32 });
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Poll<byte>(0, _ => true, Generous)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Poll<uint>(2, _ => true, Generous)).Error);
        Assert.Throws<ArgumentException>(() => map.Poll<Bytes3>(0, _ => true, Generous));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Poll<uint>(0, _ => true, TimeSpan.FromSeconds(-2)));
        Assert.Empty(backend.Accesses);
    }

    [Fact]
    public void Each_poll_read_is_one_access_of_the_polled_width()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap map = IoSysMap.Create(backend, 0x100);
        int reads = 0;
        Assert.Equal(0UL, map.Poll<ulong>(0x18, _ => ++reads == 3, Generous));
        Assert.Equal(3, backend.Accesses.Count);
        Assert.All(backend.Accesses, a => Assert.Equal((0x18L, 8, IoDirection.Read), (a.Offset, a.Width, a.Direction)));
    }
}
