using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Vfio;

/// <summary>
/// One interrupt vector of a VFIO device, delivered on an eventfd. Waits poll the eventfd in slices of at most
/// 50 ms, so a wait never blocks for ever: it ends at its timeout, at cancellation, or when the interrupts are
/// disposed, each within 50 ms.
/// </summary>
/// <example>
/// <code>
/// ulong n = interrupts[0].Wait(TimeSpan.FromSeconds(1)); // interrupts since the last wait
/// </code>
/// </example>
public sealed class VfioIrq
{
    internal const int PollSliceMilliseconds = 50;
    private readonly VfioInterrupts _owner;

    internal VfioIrq(VfioInterrupts owner, int vector, SafeFileHandle eventFd)
    {
        _owner = owner;
        Vector = vector;
        EventFd = eventFd;
    }

    /// <summary>The vector number within its interrupt kind (0 for INTx and single-vector MSI).</summary>
    public int Vector { get; }

    /// <summary>The interrupt kind.</summary>
    public VfioIrqKind Kind => _owner.Kind;

    internal SafeFileHandle EventFd { get; }

    /// <summary>Blocks until this vector fires, the timeout passes, or the wait is cancelled.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for ever; zero only checks.</param>
    /// <param name="cancellationToken">Cancels the wait (observed within 50 ms).</param>
    /// <returns>How many interrupts arrived since the last wait returned (at least 1).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="TimeoutException">No interrupt arrived in time; the message names the device, kind and vector.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The interrupts were disposed, before or during the wait.</exception>
    public ulong Wait(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _owner.WaitCore([this], timeout, cancellationToken).Count;

    /// <summary>Waits on a thread-pool thread: see <see cref="Wait"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The count since the last wait; faults with the exceptions of <see cref="Wait"/>.</returns>
    public Task<ulong> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Task.Run(() => Wait(timeout, cancellationToken), cancellationToken);

    /// <summary>Reads and clears the count without waiting: 0 when nothing arrived.</summary>
    /// <returns>The interrupts since the last wait or poll.</returns>
    /// <exception cref="ObjectDisposedException">The interrupts are disposed.</exception>
    public ulong Poll() => _owner.TryReadCount(this, out ulong count) ? count : 0;
}

/// <summary>
/// The interrupts of one kind (INTx, MSI or MSI-X) of a VFIO device, each vector on its own eventfd
/// (<c>VFIO_DEVICE_SET_IRQS</c> with <c>DATA_EVENTFD | ACTION_TRIGGER</c>). Dispose turns them off in the device and
/// closes the eventfds.
/// </summary>
/// <remarks>
/// INTx is level-triggered and the kernel masks it at each interrupt: acknowledge the interrupt in the device
/// first, then call <see cref="Unmask"/> (unmasking before the device drops its line raises it again at once).
/// Only one kind can be enabled at a time (the kernel's rule).
/// </remarks>
/// <example>
/// <code>
/// using VfioInterrupts msi = device.EnableInterrupts(VfioIrqKind.Msi);
/// bar0.Write32(0x98, 0x01 | 0x04);           // edu: start DMA, raise an interrupt when done
/// msi[0].Wait(TimeSpan.FromSeconds(1));
/// (int vector, ulong count) = msi.WaitAny(TimeSpan.FromSeconds(1));
/// </code>
/// </example>
public sealed class VfioInterrupts : IDisposable
{
    private readonly string _owner;
    private readonly Action<uint, uint>? _setIrqs;
    private readonly Action<VfioInterrupts>? _closed;
    private readonly VfioIrq[] _vectors;
    private volatile bool _disposed;

    /// <summary>Wraps eventfds already registered with the device.</summary>
    /// <param name="owner">The device's name, for messages.</param>
    /// <param name="kind">The interrupt kind.</param>
    /// <param name="eventFds">One eventfd per vector; owned from now on.</param>
    /// <param name="setIrqs">VFIO_DEVICE_SET_IRQS for this kind (flags, count), or null when there is no device (tests).</param>
    /// <param name="closed">Called once when disposed.</param>
    internal VfioInterrupts(string owner, VfioIrqKind kind, SafeFileHandle[] eventFds, Action<uint, uint>? setIrqs, Action<VfioInterrupts>? closed)
    {
        _owner = owner;
        _setIrqs = setIrqs;
        _closed = closed;
        Kind = kind;
        _vectors = new VfioIrq[eventFds.Length];
        for (int i = 0; i < eventFds.Length; i++)
        {
            _vectors[i] = new VfioIrq(this, i, eventFds[i]);
        }
    }

    /// <summary>The interrupt kind.</summary>
    public VfioIrqKind Kind { get; }

    /// <summary>The number of vectors enabled.</summary>
    public int Count => _vectors.Length;

    /// <summary>The vectors.</summary>
    public IReadOnlyList<VfioIrq> Vectors => _vectors;

    /// <summary>Vector <paramref name="vector"/>.</summary>
    /// <param name="vector">0 to <see cref="Count"/> - 1.</param>
    /// <returns>The vector.</returns>
    /// <exception cref="IndexOutOfRangeException">No such vector.</exception>
    public VfioIrq this[int vector] => _vectors[vector];

    /// <summary>Waits for any vector: see <see cref="VfioIrq.Wait"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lowest vector that fired and its count since its last wait (other vectors that fired keep their counts for their next wait).</returns>
    /// <exception cref="TimeoutException">No vector fired in time.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">Disposed before or during the wait.</exception>
    public (int Vector, ulong Count) WaitAny(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitCore(_vectors, timeout, cancellationToken);

    /// <summary>Unmasks INTx after the device's interrupt was acknowledged (<c>SET_IRQS DATA_NONE | ACTION_UNMASK</c>).</summary>
    /// <exception cref="InvalidOperationException">These are not INTx interrupts.</exception>
    /// <exception cref="VfioException">The kernel refused.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Unmask()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Kind != VfioIrqKind.Intx)
        {
            throw new InvalidOperationException($"Only INTx is masked by the kernel at each interrupt; these are {Kind} interrupts.");
        }

        _setIrqs?.Invoke(VfioNative.IrqSetDataNone | VfioNative.IrqSetActionUnmask, 1);
    }

    /// <summary>Turns the interrupts off in the device and closes the eventfds. Idempotent; waits in progress end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _setIrqs?.Invoke(VfioNative.IrqSetDataNone | VfioNative.IrqSetActionTrigger, 0);
        }
        finally
        {
            foreach (VfioIrq irq in _vectors)
            {
                irq.EventFd.Dispose();
            }

            _closed?.Invoke(this);
        }
    }

    internal unsafe (int Vector, ulong Count) WaitCore(VfioIrq[] vectors, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        if (!infinite && (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be between 0 and int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = new bool[vectors.Length];
        LibC.PollFd* fds = stackalloc LibC.PollFd[vectors.Length];
        try
        {
            for (int i = 0; i < vectors.Length; i++)
            {
                // Hold each descriptor so a concurrent Dispose cannot close it (and the number be reused) mid-wait.
                vectors[i].EventFd.DangerousAddRef(ref added[i]);
                fds[i] = new LibC.PollFd { Fd = (int)vectors[i].EventFd.DangerousGetHandle(), Events = LibC.POLLIN };
            }

            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                cancellationToken.ThrowIfCancellationRequested();
                int slice = VfioIrq.PollSliceMilliseconds;
                if (!infinite)
                {
                    long left = (long)Math.Ceiling((timeout - Stopwatch.GetElapsedTime(start)).TotalMilliseconds);
                    slice = (int)Math.Clamp(left, 0, VfioIrq.PollSliceMilliseconds);
                }

                for (int i = 0; i < vectors.Length; i++)
                {
                    fds[i].Revents = 0;
                }

                // SAFETY: fds is a stack array of vectors.Length entries; poll writes only their Revents.
                int ready = LibC.Poll(fds, (nuint)vectors.Length, slice);
                if (ready < 0 && LibC.LastError is int errno && errno != LibC.EINTR)
                {
                    throw new IOException($"Waiting for {Kind} interrupts of {_owner} failed: poll: {LibC.Describe(errno)}.");
                }

                for (int i = 0; ready > 0 && i < vectors.Length; i++)
                {
                    if (fds[i].Revents != 0 && ReadCount(fds[i].Fd, out ulong count))
                    {
                        return (vectors[i].Vector, count);
                    }
                }

                if (!infinite && Stopwatch.GetElapsedTime(start) >= timeout)
                {
                    string which = vectors.Length == 1 ? $"vector {vectors[0].Vector}" : $"any of {vectors.Length} vectors";
                    throw new TimeoutException(
                        $"No {Kind} interrupt ({which}) from {_owner} within {timeout.TotalMilliseconds:0.###} ms. Check that the device was told to " +
                        $"raise one, that bus mastering is on for MSI/MSI-X{(Kind == VfioIrqKind.Intx ? ", and that INTx was unmasked after the previous one" : "")}.");
                }
            }
        }
        finally
        {
            for (int i = 0; i < vectors.Length; i++)
            {
                if (added[i])
                {
                    vectors[i].EventFd.DangerousRelease();
                }
            }
        }
    }

    internal bool TryReadCount(VfioIrq irq, out ulong count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool added = false;
        try
        {
            irq.EventFd.DangerousAddRef(ref added);
            return ReadCount((int)irq.EventFd.DangerousGetHandle(), out count);
        }
        finally
        {
            if (added)
            {
                irq.EventFd.DangerousRelease();
            }
        }
    }

    /// <summary>Reads the eventfd's 8-byte counter (which resets it); false when it is 0 (the fd is non-blocking: EAGAIN).</summary>
    private unsafe bool ReadCount(int fd, out ulong count)
    {
        ulong value = 0;
        nint n;
        do
        {
            // SAFETY: value is an 8-byte local; an eventfd read writes exactly 8 bytes.
            n = LibC.Read(fd, &value, 8);
        }
        while (n < 0 && LibC.LastError == LibC.EINTR);

        if (n == 8)
        {
            count = value;
            return true;
        }

        int errno = n < 0 ? LibC.LastError : 0;
        if (n < 0 && errno != LibC.EAGAIN)
        {
            throw new IOException($"Reading the {Kind} eventfd of {_owner} failed: {LibC.Describe(errno)}.");
        }

        count = 0;
        return false;
    }
}
