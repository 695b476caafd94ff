using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace IoSys;

public partial class IoSysMap
{
    /// <summary>
    /// Reads the value at <paramref name="offset"/> until <paramref name="condition"/> holds, waiting
    /// <paramref name="interval"/> between reads (the kernel's <c>read_poll_timeout</c>). The value is read once
    /// more after the timeout elapses, so a condition met just in time is not reported as a timeout.
    /// </summary>
    /// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type; each read is one access of that width.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="condition">The condition on the value read.</param>
    /// <param name="timeout">How long to poll; <see cref="Timeout.InfiniteTimeSpan"/> to wait until cancelled.</param>
    /// <param name="interval">
    /// How long to sleep between reads, rounded up to whole milliseconds (the resolution of the OS wait; a shorter
    /// sleep would silently become a busy loop); <see cref="TimeSpan.Zero"/> to spin then yield.
    /// </param>
    /// <param name="cancellationToken">Stops the poll.</param>
    /// <returns>The first value read that satisfies <paramref name="condition"/>.</returns>
    /// <exception cref="IoPollTimeoutException">The condition did not hold in time; names the offset and the last value read.</exception>
    /// <exception cref="IoAccessException">The access is refused (checked on the first read).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public T Poll<T>([IoOffset] long offset, Func<T, bool> condition, TimeSpan timeout, TimeSpan interval = default, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ValidatePoll<T>(condition, timeout, interval);
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (true)
        {
            T value = Read<T>(offset);
            if (condition(value))
            {
                return value;
            }

            if (TimedOut(start, timeout))
            {
                value = Read<T>(offset);
                return condition(value) ? value : throw new IoPollTimeoutException(offset, Unsafe.SizeOf<T>(), ToUInt64(value), timeout);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (interval > TimeSpan.Zero)
            {
                if (cancellationToken.WaitHandle.WaitOne(WholeMilliseconds(interval)))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            else
            {
                spinner.SpinOnce();
            }
        }
    }

    /// <summary>
    /// Asynchronous <see cref="Poll{T}(long, Func{T, bool}, TimeSpan, TimeSpan, CancellationToken)"/>: waits with
    /// <see cref="Task.Delay(TimeSpan, CancellationToken)"/> between reads (or yields, for a zero interval).
    /// </summary>
    /// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="condition">The condition on the value read.</param>
    /// <param name="timeout">How long to poll; <see cref="Timeout.InfiniteTimeSpan"/> to wait until cancelled.</param>
    /// <param name="interval">How long to wait between reads, rounded up to whole milliseconds; <see cref="TimeSpan.Zero"/> to yield.</param>
    /// <param name="cancellationToken">Stops the poll.</param>
    /// <returns>The first value read that satisfies <paramref name="condition"/>.</returns>
    /// <exception cref="IoPollTimeoutException">The condition did not hold in time.</exception>
    /// <exception cref="IoAccessException">The access is refused.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public async Task<T> PollAsync<T>([IoOffset] long offset, Func<T, bool> condition, TimeSpan timeout, TimeSpan interval = default, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ValidatePoll<T>(condition, timeout, interval);
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            T value = Read<T>(offset);
            if (condition(value))
            {
                return value;
            }

            if (TimedOut(start, timeout))
            {
                value = Read<T>(offset);
                return condition(value) ? value : throw new IoPollTimeoutException(offset, Unsafe.SizeOf<T>(), ToUInt64(value), timeout);
            }

            if (interval > TimeSpan.Zero)
            {
                await Task.Delay(WholeMilliseconds(interval), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }
        }
    }

    private static void ValidatePoll<T>(Func<T, bool> condition, TimeSpan timeout, TimeSpan interval)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (!IsSingleAccess<T>())
        {
            throw new ArgumentException($"Polling reads one 1-, 2-, 4- or 8-byte value; {typeof(T).Name} is {Unsafe.SizeOf<T>()} bytes.", nameof(T));
        }

        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
    }

    // WaitOne and Task.Delay truncate to whole milliseconds, so 0.5 ms would become 0 ms and a busy loop.
    private static int WholeMilliseconds(TimeSpan interval) =>
        (int)Math.Min(int.MaxValue - 1, Math.Ceiling(interval.TotalMilliseconds));

    private static bool TimedOut(long start, TimeSpan timeout) =>
        timeout != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(start) >= timeout;
}
