namespace IoSys.Simulation;

/// <summary>
/// A clock that moves only when told to (<see cref="Advance(TimeSpan)"/>), for deterministic tests of devices with
/// time-dependent state. Timers created from it fire only inside <see cref="Advance(TimeSpan)"/>: synchronously, in due
/// order, on the thread that advances it (a timer due now fires at the next <c>Advance</c>, even <c>Advance(TimeSpan.Zero)</c>).
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly DateTimeOffset _start;
    private long _ticks;

    /// <summary>Creates a clock at <paramref name="start"/> (default 2000-01-01 UTC).</summary>
    /// <param name="start">The wall-clock time the clock starts at.</param>
    public ManualClock(DateTimeOffset? start = null)
    {
        _start = start ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>How far the clock has been advanced since it was created.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromTicks(_ticks);
            }
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    /// <inheritdoc/>
    public override long GetTimestamp() => Elapsed.Ticks;

    /// <summary>
    /// Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way, in due
    /// order, with the clock set to each timer's due time while its callback runs.
    /// </summary>
    /// <param name="delta">How far to move; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_lock)
        {
            target = _ticks + delta.Ticks;
        }

        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueTicks <= target).MinBy(t => t.DueTicks);
                if (due is null)
                {
                    _ticks = target;
                    return;
                }

                _ticks = Math.Max(_ticks, due.DueTicks);
                due.Rearm(_ticks);
            }

            due.Fire(); // Outside the lock: the callback may create or change timers.
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;
        private bool _disposed; // Under the clock's lock.

        public long DueTicks { get; private set; } = long.MaxValue;

        // As ITimer: false, and nothing scheduled, once the timer is disposed.
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                if (_disposed)
                {
                    return false;
                }

                clock._timers.Remove(this);
                _period = period == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, period.Ticks);
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueTicks = clock._ticks + Math.Max(0, dueTime.Ticks);
                    clock._timers.Add(this);
                }
            }

            return true;
        }

        // Called under the clock's lock when the timer fires: reschedule (periodic) or remove.
        public void Rearm(long now)
        {
            clock._timers.Remove(this);
            if (_period > 0)
            {
                DueTicks = now + _period;
                clock._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                _disposed = true;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
