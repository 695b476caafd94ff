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
public sealed class RecordingBackend : IoBackend
{
    private readonly List<IoAccess> _accesses = [];

    public RecordingBackend(long size) => Memory = new byte[size];

    /// <summary>The backend's bytes; index = backend offset.</summary>
    public byte[] Memory { get; }

    /// <summary>Every call so far, in order.</summary>
    public IReadOnlyList<IoAccess> Accesses => _accesses;

    /// <summary>Forgets the recorded calls (the bytes stay).</summary>
    public void ClearLog() => _accesses.Clear();

    protected override ulong Read(long offset, int width)
    {
        ulong value = Zext(Slot(offset, width));
        _accesses.Add(new IoAccess(offset, width, IoDirection.Read, value));
        return value;
    }

    protected override void Write(long offset, int width, ulong value)
    {
        // Host byte order, like RAM: the low `width` bytes of the little- or big-endian ulong.
        Span<byte> wide = stackalloc byte[8];
        BitConverter.TryWriteBytes(wide, value);
        (BitConverter.IsLittleEndian ? wide[..width] : wide[(8 - width)..]).CopyTo(Slot(offset, width));
        _accesses.Add(new IoAccess(offset, width, IoDirection.Write, value));
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
        bytes.CopyTo(BitConverter.IsLittleEndian ? wide : wide[(8 - bytes.Length)..]);
        return BitConverter.ToUInt64(wide);
    }
}

/// <summary>The library called a backend in a way its contract forbids.</summary>
public sealed class BackendMisuseException(string message) : Exception(message);
