using System.Globalization;
using IoSys.Registers;

namespace IoSys.Simulation;

/// <summary>
/// A simulated device: a region of <see cref="Size"/> bytes of I/O memory with declared registers
/// (<see cref="RegisterSpec"/>), accepted access widths, and behaviour. Its <see cref="Map"/> is an ordinary
/// <see cref="IoSysMap"/>, so driver code runs on it unchanged. Use it as is, adding registers with
/// <see cref="AddRegister(RegisterSpec)"/>, or derive from it for behaviour beyond registers (see <see cref="EduDevice"/>).
/// </summary>
/// <remarks>
/// <para>The width rules are enforced twice on purpose, from one declaration (<see cref="MapOptions"/>): by the
/// checked API, which refuses a bad width with <see cref="IoAccessException"/> before the device sees it, and by the
/// device itself (the core's check of <see cref="Map"/>, <see cref="IoSysMap.CheckAccess"/>), so an access that skips the
/// checks (<see cref="UnsafeIoSysMap"/>) meets bus behaviour: a read of all ones (<see cref="RefusedReadValue"/>) and
/// a dropped write, or <see cref="SimulatedBusException"/> when <see cref="SimulatedDeviceOptions.Strict"/>.</para>
/// <para>Every access runs under one lock (<see cref="SyncRoot"/>), as do timer callbacks scheduled with
/// <see cref="Schedule(TimeSpan, Action)"/>, so handlers need no locking of their own.</para>
/// </remarks>
public class SimulatedDevice : IoBackend, IDisposable
{
    private readonly Dictionary<long, Register> _byOffset = [];
    private readonly List<Register> _registers = [];
    private readonly List<SimulatedBusFault> _faults = [];
    private readonly List<ITimer> _timers = [];
    private bool _disposed;

    /// <summary>Creates a device of <paramref name="size"/> bytes with no registers yet.</summary>
    /// <param name="name">Name, for diagnostics.</param>
    /// <param name="size">Size of the region in bytes.</param>
    /// <param name="widths">Widths accepted wherever no rule applies.</param>
    /// <param name="widthRules">Ranges that accept other widths (offsets in bytes from the start of the region).</param>
    /// <param name="options">Strictness and clock. Default: lenient, system clock.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="ArgumentException">A width rule is not a valid range, or <paramref name="name"/> is empty.</exception>
    public SimulatedDevice(string name, long size, AccessWidths widths = AccessWidths.All,
        IReadOnlyList<IoWidthRule>? widthRules = null, SimulatedDeviceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        options ??= new SimulatedDeviceOptions();
        Name = name;
        Size = size;
        Strict = options.Strict;
        Time = options.Time ?? TimeProvider.System;
        MapOptions = new IoMapOptions { Space = IoSpace.IoMemory, Widths = widths, WidthRules = [.. widthRules ?? []], Description = $"sim:{name}" };
        Map = IoSysMap.Create(this, size, MapOptions); // Validates the rules.
    }

    /// <summary>Name of the device, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>Size of the device's region in bytes.</summary>
    public long Size { get; }

    /// <summary>The device's region as I/O memory, with the device's width rules: what drivers use.</summary>
    public IoSysMap Map { get; }

    /// <summary>The options <see cref="Map"/> was created with (I/O memory and the device's width rules).</summary>
    public IoMapOptions MapOptions { get; }

    /// <summary>Whether refused accesses throw <see cref="SimulatedBusException"/> instead of behaving as the bus does.</summary>
    public bool Strict { get; }

    /// <summary>The clock the device's time-dependent state follows.</summary>
    public TimeProvider Time { get; }

    /// <summary>The declared registers, in the order they were added.</summary>
    public IReadOnlyList<RegisterSpec> Registers
    {
        get
        {
            lock (SyncRoot)
            {
                return [.. _registers.Select(static r => r.Spec)];
            }
        }
    }

    /// <summary>Every access the device did not accept (and other device faults, such as bad DMA), oldest first.</summary>
    public IReadOnlyList<SimulatedBusFault> Faults
    {
        get
        {
            lock (SyncRoot)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>The lock that every access, handler and scheduled callback runs under.</summary>
    protected object SyncRoot { get; } = new();

    /// <summary>Declares a register. Its stored value starts at <see cref="RegisterSpec.ResetValue"/>.</summary>
    /// <param name="spec">The register.</param>
    /// <returns><paramref name="spec"/>.</returns>
    /// <exception cref="ArgumentException">The register is not 1, 2, 4 or 8 bytes, is misaligned, does not fit in the
    /// region, overlaps another register, or accepts a width wider than itself.</exception>
    public RegisterSpec AddRegister(RegisterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Width is not (1 or 2 or 4 or 8) || spec.Offset < 0 || spec.Offset % spec.Width != 0 || spec.Offset > Size - spec.Width)
        {
            throw new ArgumentException(
                $"Register {spec.Name} ({spec.Width} bytes at 0x{spec.Offset:x}) must be 1, 2, 4 or 8 bytes, aligned, within the 0x{Size:x}-byte region.",
                nameof(spec));
        }

        if ((spec.AcceptedWidths & ~AccessWidths.All) != 0 || spec.AcceptedWidths.Widest() > spec.Width)
        {
            throw new ArgumentException($"Register {spec.Name} accepts widths wider than its {spec.Width} bytes.", nameof(spec));
        }

        lock (SyncRoot)
        {
            if (_registers.Find(r => r.Spec.Offset < spec.Offset + spec.Width && spec.Offset < r.Spec.Offset + r.Spec.Width) is { } other)
            {
                throw new ArgumentException($"Register {spec.Name} overlaps register {other.Spec.Name}.", nameof(spec));
            }

            var register = new Register(spec);
            _registers.Add(register);
            _byOffset.Add(spec.Offset, register);
        }

        return spec;
    }

    /// <summary>The stored value of the register at <paramref name="offset"/>, without running any handler.</summary>
    /// <param name="offset">The register's offset in bytes.</param>
    /// <returns>The stored value.</returns>
    /// <exception cref="KeyNotFoundException">No register starts at <paramref name="offset"/>.</exception>
    public ulong Peek(long offset)
    {
        lock (SyncRoot)
        {
            return Find(offset).Value;
        }
    }

    /// <summary>Sets the stored value of the register at <paramref name="offset"/>, without running any handler
    /// (for test setup and for device behaviour: hardware changing its own state).</summary>
    /// <param name="offset">The register's offset in bytes.</param>
    /// <param name="value">The value, truncated to the register's width.</param>
    /// <exception cref="KeyNotFoundException">No register starts at <paramref name="offset"/>.</exception>
    public void Poke(long offset, ulong value)
    {
        lock (SyncRoot)
        {
            Register register = Find(offset);
            register.Value = value & Mask(register.Spec.Width);
        }
    }

    /// <summary>Sets every register back to its reset value and forgets recorded faults.</summary>
    public virtual void Reset()
    {
        lock (SyncRoot)
        {
            foreach (Register register in _registers)
            {
                register.Value = register.Spec.ResetValue & Mask(register.Spec.Width);
            }

            _faults.Clear();
        }
    }

    /// <summary>Forgets the recorded <see cref="Faults"/>.</summary>
    public void ClearFaults()
    {
        lock (SyncRoot)
        {
            _faults.Clear();
        }
    }

    /// <summary>Whether the region accepts an access of <paramref name="width"/> bytes at <paramref name="offset"/>
    /// (range, alignment and width rules; registers not considered).</summary>
    /// <param name="offset">Offset in bytes from the start of the region.</param>
    /// <param name="width">Width in bytes.</param>
    /// <returns>True if the bus would pass the access to the device.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8.</exception>
    public bool Accepts(long offset, int width)
    {
        if (width is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "An access width must be 1, 2, 4 or 8 bytes.");
        }

        return RegionRefusal(offset, width) is null;
    }

    /// <summary>Disposes the device: cancels scheduled callbacks and disposes <see cref="Map"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases scheduled timers and the map.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        ITimer[] timers;
        lock (SyncRoot)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (ITimer timer in timers)
        {
            timer.Dispose();
        }

        Map.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, under <see cref="SyncRoot"/>, after <paramref name="delay"/> on
    /// <see cref="Time"/>: how device behaviour takes time (a computation, a DMA transfer). Nothing runs after
    /// <see cref="Dispose()"/>.
    /// </summary>
    /// <param name="delay">Delay on the device's clock; zero or more.</param>
    /// <param name="action">The behaviour.</param>
    protected void Schedule(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ITimer? timer = null;
        bool fired = false;
        void Fire()
        {
            lock (SyncRoot)
            {
                if (fired || _disposed)
                {
                    return;
                }

                fired = true;
                if (timer is not null)
                {
                    _timers.Remove(timer);
                    timer.Dispose(); // One-shot: release it now rather than at the device's disposal.
                }

                action();
            }
        }

        lock (SyncRoot)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            timer = Time.CreateTimer(static s => ((Action)s!)(), (Action)Fire, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
        }

        // Start outside the lock: a manual clock may fire a zero delay at once, on this thread.
        timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Records a device fault that is not a refused access (e.g. a DMA out of range). Takes <see cref="SyncRoot"/>
    /// itself; the lock is re-entrant, so it may be called with or without holding it.</summary>
    /// <param name="fault">The fault.</param>
    protected void RecordFault(SimulatedBusFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (SyncRoot)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>What a read at an offset that no register backs returns. Default: all ones, as on PCI.</summary>
    /// <param name="offset">Offset in bytes.</param>
    /// <param name="width">Width in bytes.</param>
    /// <returns>The value, in the low <paramref name="width"/> bytes.</returns>
    protected virtual ulong ReadUnbacked(long offset, int width) => ulong.MaxValue;

    /// <summary>What a write at an offset that no register backs does. Default: nothing.</summary>
    /// <param name="offset">Offset in bytes.</param>
    /// <param name="width">Width in bytes.</param>
    /// <param name="value">The value written, zero-extended.</param>
    protected virtual void WriteUnbacked(long offset, int width, ulong value)
    {
    }

    /// <summary>What a refused read returns on a lenient device. Default: all ones, what a bus returns when no one answers.</summary>
    /// <param name="offset">Offset in bytes (may be out of range or misaligned).</param>
    /// <param name="width">Width in bytes.</param>
    /// <returns>The value, in the low <paramref name="width"/> bytes.</returns>
    protected virtual ulong RefusedReadValue(long offset, int width) => ulong.MaxValue;

    private static ulong Mask(int width) => width == 8 ? ulong.MaxValue : (1UL << (width * 8)) - 1;

    private Register Find(long offset) => _byOffset.TryGetValue(offset, out Register? register)
        ? register
        : throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture, $"No register of '{Name}' starts at 0x{offset:x}."));

    /// <inheritdoc/>
    protected sealed override ulong Read(long offset, int width)
    {
        lock (SyncRoot)
        {
            if (!Admit(offset, width, AccessDirection.Read, out Register? register))
            {
                return RefusedReadValue(offset, width) & Mask(width);
            }

            // No register, or a write-only one (which a lenient device lets through): what an unbacked offset reads.
            if (register is null || register.Spec.Access == RegisterAccess.WO)
            {
                return ReadUnbacked(offset, width) & Mask(width);
            }

            ulong value = register.Spec.OnRead is { } onRead ? onRead(register.Value) : register.Value;
            return value & Mask(width);
        }
    }

    /// <inheritdoc/>
    protected sealed override void Write(long offset, int width, ulong value)
    {
        lock (SyncRoot)
        {
            if (!Admit(offset, width, AccessDirection.Write, out Register? register))
            {
                return;
            }

            if (register is null)
            {
                WriteUnbacked(offset, width, value);
                return;
            }

            RegisterSpec spec = register.Spec;
            if (spec.Access == RegisterAccess.RO)
            {
                return;
            }

            ulong stored = spec.OnWrite is { } onWrite
                ? onWrite(register.Value, value)
                : spec.Access == RegisterAccess.W1C ? register.Value & ~value : value;
            register.Value = stored & Mask(spec.Width);
            spec.AfterWrite?.Invoke(register.Value);
        }
    }

    // What the bus and the device decide before an access reaches a register: the region's rules, then the
    // register's. A refusal is recorded (or thrown, when strict); otherwise the register covering the access, if any.
    private bool Admit(long offset, int width, AccessDirection direction, out Register? register)
    {
        register = null;
        string? refusal = RegionRefusal(offset, width);
        if (refusal is null)
        {
            register = Covering(offset, width);
            refusal = RegisterRefusal(register, offset, width, direction);
        }

        if (refusal is null)
        {
            return true;
        }

        Refuse(offset, width, direction, refusal);
        return false;
    }

    private void Refuse(long offset, int width, AccessDirection direction, string reason)
    {
        var fault = new SimulatedBusFault(offset, width, direction, reason);
        _faults.Add(fault);
        if (Strict)
        {
            throw new SimulatedBusException(Name, fault);
        }
    }

    // Range, alignment and width rules: what the bus and the device's decoder check. They are the rules of Map (the
    // device's own region, created from the same widths and rules), so the core's check of a single access decides:
    // it answers after the map is disposed too.
    private string? RegionRefusal(long offset, int width) => Map.CheckAccess(offset, width, write: false) switch
    {
        IoAccessError.None => null,
        IoAccessError.OutOfRange => string.Create(CultureInfo.InvariantCulture, $"outside the 0x{Size:x}-byte region"),
        IoAccessError.Misaligned => "misaligned",
        _ => $"the device accepts only {Map.WidthsAt(offset, width).Describe()} accesses here",
    };

    private string? RegisterRefusal(Register? register, long offset, int width, AccessDirection direction)
    {
        if (register is null)
        {
            return null;
        }

        RegisterSpec spec = register.Spec;
        if (offset != spec.Offset || offset + width > spec.Offset + spec.Width)
        {
            return $"the access is not at the start of register {spec.Name}";
        }

        if (!spec.AcceptedWidths.Allows(width))
        {
            return $"register {spec.Name} accepts only {spec.AcceptedWidths.Describe()} accesses";
        }

        // Bus-legal but wrong: a real device ignores it, a strict one reports it.
        if (Strict && direction == AccessDirection.Write && spec.Access == RegisterAccess.RO)
        {
            return $"register {spec.Name} is read-only";
        }

        if (Strict && direction == AccessDirection.Read && spec.Access == RegisterAccess.WO)
        {
            return $"register {spec.Name} is write-only";
        }

        return null;
    }

    // The register that overlaps [offset, offset + width), preferring one that starts at offset (null if none).
    private Register? Covering(long offset, int width)
    {
        if (_byOffset.TryGetValue(offset, out Register? exact))
        {
            return exact;
        }

        // Registers are at most 8 bytes: only starts within 7 bytes below the access, or inside it, can overlap.
        for (long start = offset - 7; start < offset + width; start++)
        {
            if (start >= 0 && _byOffset.TryGetValue(start, out Register? r) && r.Spec.Offset + r.Spec.Width > offset)
            {
                return r;
            }
        }

        return null;
    }

    private sealed class Register(RegisterSpec spec)
    {
        public RegisterSpec Spec { get; } = spec;

        public ulong Value { get; set; } = spec.ResetValue & Mask(spec.Width);
    }
}
