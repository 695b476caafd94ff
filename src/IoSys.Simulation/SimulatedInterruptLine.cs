namespace IoSys.Simulation;

/// <summary>
/// A device's level-triggered interrupt line, observed as user space observes one through Linux UIO with
/// <c>uio_pci_generic</c>: when the line goes high while enabled, the interrupt count goes up and the line is masked
/// until <see cref="EnableInterrupts"/> re-arms it (the kernel masks INTx in its handler and user space writes 1 to
/// <c>/dev/uioN</c>); <see cref="WaitForInterrupt(TimeSpan, CancellationToken)"/> blocks like a 4-byte
/// <c>read()</c> of <c>/dev/uioN</c> and returns the count.
/// </summary>
public sealed class SimulatedInterruptLine
{
    private readonly object _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _level;
    private bool _enabled = true;
    private uint _count;
    private uint _reported;

    /// <summary>Creates a line, low and enabled.</summary>
    /// <param name="name">Name, for diagnostics.</param>
    public SimulatedInterruptLine(string name)
    {
        Name = name;
    }

    /// <summary>
    /// Raised each time an interrupt is delivered, with the new <see cref="Count"/>, on the thread that changed the
    /// level or enabled the line: for a device model, while it holds its lock. Do not block in a handler.
    /// </summary>
    public event EventHandler<uint>? Raised;

    /// <summary>Name of the line, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>Whether the device is asserting the line now.</summary>
    public bool IsAsserted
    {
        get
        {
            lock (_lock)
            {
                return _level;
            }
        }
    }

    /// <summary>Whether a rising level would be delivered now (false after a delivery, until re-enabled).</summary>
    public bool IsEnabled
    {
        get
        {
            lock (_lock)
            {
                return _enabled;
            }
        }
    }

    /// <summary>How many interrupts were delivered since the line was created.</summary>
    public uint Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Sets the level the device drives; called by device models.</summary>
    /// <param name="asserted">True to assert the line.</param>
    public void SetLevel(bool asserted)
    {
        uint? delivered;
        lock (_lock)
        {
            _level = asserted;
            delivered = DeliverIfPending();
        }

        Notify(delivered);
    }

    /// <summary>Unmasks the line (UIO: write 1 to <c>/dev/uioN</c>). If the device is still asserting it, that is
    /// delivered at once, as a level-triggered line is.</summary>
    public void EnableInterrupts()
    {
        uint? delivered;
        lock (_lock)
        {
            _enabled = true;
            delivered = DeliverIfPending();
        }

        Notify(delivered);
    }

    /// <summary>Masks the line (UIO: write 0 to <c>/dev/uioN</c>).</summary>
    public void DisableInterrupts()
    {
        lock (_lock)
        {
            _enabled = false;
        }
    }

    /// <summary>
    /// Waits until an interrupt is delivered that this method has not yet reported (one delivered since the previous
    /// call returns at once), like a blocking <c>read()</c> of <c>/dev/uioN</c>.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait until cancelled.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The total interrupt count.</returns>
    /// <exception cref="TimeoutException">No interrupt was delivered in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public uint WaitForInterrupt(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForInterruptAsync(timeout, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="WaitForInterrupt(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait until cancelled.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The total interrupt count.</returns>
    /// <exception cref="TimeoutException">No interrupt was delivered in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<uint> WaitForInterruptAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task changed;
        lock (_lock)
        {
            if (_count != _reported)
            {
                return _reported = _count;
            }

            changed = _changed.Task;
        }

        try
        {
            await changed.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No interrupt on '{Name}' within {timeout.TotalMilliseconds:0.###} ms.");
        }

        lock (_lock)
        {
            return _reported = _count;
        }
    }

    // Under _lock: deliver a pending level interrupt; returns the new count if one was delivered.
    private uint? DeliverIfPending()
    {
        if (!_level || !_enabled)
        {
            return null;
        }

        _enabled = false; // Masked until re-enabled, as uio_pci_generic does.
        _count++;
        TaskCompletionSource previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
        return _count;
    }

    private void Notify(uint? delivered)
    {
        if (delivered is { } count)
        {
            Raised?.Invoke(this, count);
        }
    }
}
