namespace IoSys.Simulation;

/// <summary>
/// A backend that forwards every access to another map, through that map's checked API, and records it in an
/// <see cref="AccessTrace"/>. <see cref="Wrap(IoSysMap, AccessTrace)"/> returns an <see cref="IoSysMap"/> over it with the
/// inner map's size, space and width rules, so a driver given the wrapped map behaves exactly as on the inner one,
/// and every access it makes is seen.
/// </summary>
/// <remarks>
/// Accesses refused by the checks (of the wrapped map or the inner one) throw <see cref="IoAccessException"/> and are
/// not recorded: nothing was accessed. Disposing the wrapped map does not dispose the inner one.
/// </remarks>
public sealed class TracingMap : IoBackend
{
    private TracingMap(IoSysMap inner, AccessTrace trace)
    {
        Inner = inner;
        Trace = trace;
    }

    /// <summary>The map accesses are forwarded to.</summary>
    public IoSysMap Inner { get; }

    /// <summary>The trace accesses are recorded in.</summary>
    public AccessTrace Trace { get; }

    /// <summary>Wraps <paramref name="inner"/> so that every access is recorded in <paramref name="trace"/>.</summary>
    /// <param name="inner">The map to trace; offsets in the trace are offsets in it.</param>
    /// <param name="trace">Where to record.</param>
    /// <returns>A map of <c>inner.Size</c> bytes with <paramref name="inner"/>'s space, width rules and read-only state;
    /// its <see cref="IoSysMap.Backend"/> is the <see cref="TracingMap"/>.</returns>
    /// <exception cref="ObjectDisposedException"><paramref name="inner"/> is disposed.</exception>
    public static IoSysMap Wrap(IoSysMap inner, AccessTrace trace)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(trace);
        ObjectDisposedException.ThrowIf(inner.IsDisposed, inner);
        return IoSysMap.Create(new TracingMap(inner, trace), inner.Size, inner.GetEffectiveOptions());
    }

    /// <summary>Wraps <paramref name="inner"/> with a new trace: see <see cref="Wrap(IoSysMap, AccessTrace)"/>.</summary>
    /// <param name="inner">The map to trace.</param>
    /// <param name="trace">The new trace.</param>
    /// <param name="time">The clock for timestamps. Default: <see cref="TimeProvider.System"/>.</param>
    /// <returns>The wrapped map.</returns>
    public static IoSysMap Wrap(IoSysMap inner, out AccessTrace trace, TimeProvider? time = null)
    {
        trace = new AccessTrace(time);
        return Wrap(inner, trace);
    }

    /// <inheritdoc/>
    protected override ulong Read(long offset, int width)
    {
        ulong value = Inner.Read(offset, width);
        Trace.Record(offset, width, AccessDirection.Read, value);
        return value;
    }

    /// <inheritdoc/>
    protected override void Write(long offset, int width, ulong value)
    {
        Inner.Write(offset, width, value);
        Trace.Record(offset, width, AccessDirection.Write, value);
    }
}
