using System.Runtime.CompilerServices;

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
public sealed class TracingMap : IIoBackend
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

    byte IIoCapable<byte>.IoRead(long offset) => Read<byte>(offset);

    ushort IIoCapable<ushort>.IoRead(long offset) => Read<ushort>(offset);

    uint IIoCapable<uint>.IoRead(long offset) => Read<uint>(offset);

    ulong IIoCapable<ulong>.IoRead(long offset) => Read<ulong>(offset);

    void IIoCapable<byte>.IoWrite(long offset, byte value) => Write(offset, value, value);

    void IIoCapable<ushort>.IoWrite(long offset, ushort value) => Write(offset, value, value);

    void IIoCapable<uint>.IoWrite(long offset, uint value) => Write(offset, value, value);

    void IIoCapable<ulong>.IoWrite(long offset, ulong value) => Write(offset, value, value);

    private T Read<T>(long offset)
        where T : unmanaged
    {
        T value = Inner.Read<T>(offset);
        Trace.Record(offset, Unsafe.SizeOf<T>(), AccessDirection.Read, ToUInt64(value));
        return value;
    }

    private void Write<T>(long offset, T value, ulong widened)
        where T : unmanaged
    {
        Inner.Write(offset, value);
        Trace.Record(offset, Unsafe.SizeOf<T>(), AccessDirection.Write, widened);
    }

    internal static ulong ToUInt64<T>(T value)
        where T : unmanaged => Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.As<T, byte>(ref value),
            2 => Unsafe.As<T, ushort>(ref value),
            4 => Unsafe.As<T, uint>(ref value),
            _ => Unsafe.As<T, ulong>(ref value),
        };
}
