using System.Runtime.CompilerServices;

namespace IoSys.Tests.Support;

/// <summary>Whether a recorded backend access read or wrote.</summary>
public enum IoDirection
{
    Read,
    Write,
}

/// <summary>One call the map made into its backend.</summary>
/// <param name="Offset">Offset the backend received (from the start of its region).</param>
/// <param name="Width">Width of the access in bytes.</param>
/// <param name="Direction">Read or write.</param>
/// <param name="Value">The value read or written, zero-extended.</param>
public readonly record struct IoAccess(long Offset, int Width, IoDirection Direction, ulong Value)
{
    public override string ToString() => $"{Direction} {Width}B @0x{Offset:x} = 0x{Value:x}";
}

/// <summary>
/// A test backend that stores bytes (host byte order, like RAM) and records every call with its offset, width,
/// direction and value. A call outside the region is a library bug: it throws <see cref="BackendMisuseException"/>
/// (never an <see cref="IoAccessException"/>, so tests cannot mistake it for a refused access).
/// </summary>
public sealed class RecordingBackend : IIoBackend
{
    private readonly List<IoAccess> _accesses = [];

    public RecordingBackend(long size) => Memory = new byte[size];

    /// <summary>The backend's bytes; index = backend offset.</summary>
    public byte[] Memory { get; }

    /// <summary>Every call so far, in order.</summary>
    public IReadOnlyList<IoAccess> Accesses => _accesses;

    /// <summary>Forgets the recorded calls (the bytes stay).</summary>
    public void ClearLog() => _accesses.Clear();

    byte IIoCapable<byte>.IoRead(long offset) => Read<byte>(offset);

    ushort IIoCapable<ushort>.IoRead(long offset) => Read<ushort>(offset);

    uint IIoCapable<uint>.IoRead(long offset) => Read<uint>(offset);

    ulong IIoCapable<ulong>.IoRead(long offset) => Read<ulong>(offset);

    void IIoCapable<byte>.IoWrite(long offset, byte value) => Write(offset, value);

    void IIoCapable<ushort>.IoWrite(long offset, ushort value) => Write(offset, value);

    void IIoCapable<uint>.IoWrite(long offset, uint value) => Write(offset, value);

    void IIoCapable<ulong>.IoWrite(long offset, ulong value) => Write(offset, value);

    private T Read<T>(long offset)
        where T : unmanaged
    {
        int width = Unsafe.SizeOf<T>();
        Span<byte> slot = Slot(offset, width);
        T value = Unsafe.ReadUnaligned<T>(ref slot[0]);
        _accesses.Add(new IoAccess(offset, width, IoDirection.Read, Zext(slot)));
        return value;
    }

    private void Write<T>(long offset, T value)
        where T : unmanaged
    {
        int width = Unsafe.SizeOf<T>();
        Span<byte> slot = Slot(offset, width);
        Unsafe.WriteUnaligned(ref slot[0], value);
        _accesses.Add(new IoAccess(offset, width, IoDirection.Write, Zext(slot)));
    }

    private Span<byte> Slot(long offset, int width)
    {
        if (offset < 0 || offset > Memory.Length - width)
        {
            throw new BackendMisuseException($"backend called with a {width}-byte access at 0x{offset:x}, outside its 0x{Memory.Length:x} bytes");
        }

        return Memory.AsSpan((int)offset, width);
    }

    private static ulong Zext(ReadOnlySpan<byte> bytes)
    {
        Span<byte> wide = stackalloc byte[8];
        wide.Clear();
        bytes.CopyTo(wide);
        return BitConverter.ToUInt64(wide);
    }
}

/// <summary>The library called a backend in a way its contract forbids.</summary>
public sealed class BackendMisuseException(string message) : Exception(message);
