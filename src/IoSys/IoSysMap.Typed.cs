using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoSys;

public unsafe partial class IoSysMap
{
    /// <summary>Reads one byte at <paramref name="offset"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, or the region refuses 1-byte accesses there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Read8(long offset) => Read<byte>(offset);

    /// <summary>Reads a 16-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 2.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, misaligned, or the region refuses 2-byte accesses there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read16(long offset) => Read<ushort>(offset);

    /// <summary>Reads a 32-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 4.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, misaligned, or the region refuses 4-byte accesses there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(long offset) => Read<uint>(offset);

    /// <summary>Reads a 64-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 8.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, misaligned, or the region refuses 8-byte accesses there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read64(long offset) => Read<ulong>(offset);

    /// <summary>Writes one byte at <paramref name="offset"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write8(long offset, byte value) => Write(offset, value);

    /// <summary>Writes a 16-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 2.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write16(long offset, ushort value) => Write(offset, value);

    /// <summary>Writes a 32-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 4.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write32(long offset, uint value) => Write(offset, value);

    /// <summary>Writes a 64-bit value (host byte order) at <paramref name="offset"/>, in one access.</summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of 8.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write64(long offset, ulong value) => Write(offset, value);

    /// <summary>
    /// Reads a <typeparamref name="T"/> at <paramref name="offset"/>. A 1-, 2-, 4- or 8-byte type is read in exactly
    /// one access of that width (aligned, width-checked); any other size is read as a bulk copy
    /// (<see cref="ReadBytes(long, Span{byte})"/>), in aligned accesses the region accepts.
    /// </summary>
    /// <typeparam name="T">An unmanaged type: a primitive, or a struct with the device's layout.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, misaligned, or a refused width.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>(long offset)
        where T : unmanaged
    {
        // The slots are loaded first so that, when a caller's call is inlined, this load is also the null check of
        // the map: the JIT then emits no separate `cmp [map], map` per access (bench: RuntimeOffsetBenchmarks).
        ulong slots = ReadSlots<T>();
        if (IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) < slots)
        {
            // SAFETY: the slot check proved 0 <= offset <= Size - sizeof(T), offset aligned to sizeof(T), the base
            // aligned, the width accepted everywhere and the map not disposed; the region keeps
            // [_base, _base + Size) valid until it is unreachable, and KeepAlive keeps it reachable until here.
            T value = DeviceOrdering.ReadOrdered<T>((byte*)_base + offset);
            GC.KeepAlive(this);
            return value;
        }

        return ReadChecked<T>(offset); // Also composite types: a bulk copy.
    }

    /// <summary>
    /// Writes a <typeparamref name="T"/> at <paramref name="offset"/>: one access for a 1-, 2-, 4- or 8-byte type,
    /// a bulk copy in accepted aligned accesses for any other size (see <see cref="Read{T}(long)"/>).
    /// </summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(long offset, T value)
        where T : unmanaged
    {
        ulong slots = WriteSlots<T>(); // First, as in Read<T>.
        if (IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) < slots)
        {
            // SAFETY: as in Read<T>; write slots are also zero for read-only maps.
            DeviceOrdering.WriteOrdered((byte*)_base + offset, value);
            GC.KeepAlive(this);
            return;
        }

        WriteChecked(offset, value);
    }

    /// <summary>Reads a byte, or returns false if the access is refused (see <see cref="Read8(long)"/>).</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or 0.</param>
    /// <returns>True if read; false if out of range or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead8(long offset, out byte value) => TryRead(offset, out value);

    /// <summary>Reads a 16-bit value, or returns false if the access is refused (see <see cref="Read16(long)"/>).</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or 0.</param>
    /// <returns>True if read; false if out of range, misaligned or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead16(long offset, out ushort value) => TryRead(offset, out value);

    /// <summary>Reads a 32-bit value, or returns false if the access is refused (see <see cref="Read32(long)"/>).</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or 0.</param>
    /// <returns>True if read; false if out of range, misaligned or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead32(long offset, out uint value) => TryRead(offset, out value);

    /// <summary>Reads a 64-bit value, or returns false if the access is refused (see <see cref="Read64(long)"/>).</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or 0.</param>
    /// <returns>True if read; false if out of range, misaligned or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead64(long offset, out ulong value) => TryRead(offset, out value);

    /// <summary>Writes a byte, or returns false (writing nothing) if the access is refused.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite8(long offset, byte value) => TryWrite(offset, value);

    /// <summary>Writes a 16-bit value, or returns false (writing nothing) if the access is refused.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, misaligned, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite16(long offset, ushort value) => TryWrite(offset, value);

    /// <summary>Writes a 32-bit value, or returns false (writing nothing) if the access is refused.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, misaligned, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite32(long offset, uint value) => TryWrite(offset, value);

    /// <summary>Writes a 64-bit value, or returns false (writing nothing) if the access is refused.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, misaligned, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite64(long offset, ulong value) => TryWrite(offset, value);

    /// <summary>Reads a <typeparamref name="T"/>, or returns false if the access is refused (see <see cref="Read{T}(long)"/>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or default.</param>
    /// <returns>True if read; false if out of range, misaligned or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead<T>(long offset, out T value)
        where T : unmanaged
    {
        ThrowIfDisposed();
        if (IsSingleAccess<T>())
        {
            if (Check(offset, Unsafe.SizeOf<T>(), write: false, out bool unaligned) != IoAccessError.None)
            {
                value = default;
                return false;
            }

            value = ReadUnchecked<T>(offset, unaligned);
            return true;
        }

        value = default;
        return TryTransfer(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: false, AccessWidths.All) == IoAccessError.None;
    }

    /// <summary>Writes a <typeparamref name="T"/>, or returns false (writing nothing) if the access is refused.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, misaligned, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite<T>(long offset, T value)
        where T : unmanaged
    {
        ThrowIfDisposed();
        if (IsSingleAccess<T>())
        {
            if (Check(offset, Unsafe.SizeOf<T>(), write: true, out bool unaligned) != IoAccessError.None)
            {
                return false;
            }

            WriteUnchecked(offset, value, unaligned);
            return true;
        }

        return TryTransfer(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: true, AccessWidths.All) == IoAccessError.None;
    }

    /// <summary>Reads a big-endian 16-bit value at <paramref name="offset"/> in one access; see <see cref="Read16(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2.</param>
    /// <returns>The value, in host order.</returns>
    public ushort ReadBigEndian16(long offset) => FromBigEndian(Read16(offset));

    /// <summary>Reads a big-endian 32-bit value at <paramref name="offset"/> in one access; see <see cref="Read32(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4.</param>
    /// <returns>The value, in host order.</returns>
    public uint ReadBigEndian32(long offset) => FromBigEndian(Read32(offset));

    /// <summary>Reads a big-endian 64-bit value at <paramref name="offset"/> in one access; see <see cref="Read64(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 8.</param>
    /// <returns>The value, in host order.</returns>
    public ulong ReadBigEndian64(long offset) => FromBigEndian(Read64(offset));

    /// <summary>Writes a 16-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write16(long, ushort)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian16(long offset, ushort value) => Write16(offset, FromBigEndian(value));

    /// <summary>Writes a 32-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write32(long, uint)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian32(long offset, uint value) => Write32(offset, FromBigEndian(value));

    /// <summary>Writes a 64-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write64(long, ulong)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 8.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian64(long offset, ulong value) => Write64(offset, FromBigEndian(value));

    /// <summary>
    /// Checks an access of <paramref name="width"/> bytes without making it.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="width">Access width in bytes: 1, 2, 4 or 8.</param>
    /// <param name="write">Whether the access is a write.</param>
    /// <returns><see cref="IoAccessError.None"/> if the access would be made, otherwise why it would be refused.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8.</exception>
    public IoAccessError CheckAccess(long offset, int width, bool write)
    {
        _ = AccessWidthsExtensions.FromBytes(width);
        return Check(offset, width, write, out _);
    }

    /// <summary>The exception the library throws for a refused access, for callers of <see cref="CheckAccess"/>.</summary>
    /// <param name="error">The error <see cref="CheckAccess"/> returned; not <see cref="IoAccessError.None"/>.</param>
    /// <param name="offset">Offset in bytes.</param>
    /// <param name="width">Access width in bytes.</param>
    /// <param name="write">Whether the access is a write.</param>
    /// <returns>The exception, naming the offset, width and size.</returns>
    public IoAccessException CreateAccessException(IoAccessError error, long offset, int width, bool write) =>
        AccessException(error, offset, width, write ? "write" : "read");

    // --- Slow paths and helpers -------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSingleAccess<T>() => Unsafe.SizeOf<T>() is 1 or 2 or 4 or 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Log2Width<T>() => Unsafe.SizeOf<T>() switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadSlots<T>() => Unsafe.SizeOf<T>() switch { 1 => _r1, 2 => _r2, 4 => _r4, _ => _r8 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong WriteSlots<T>() => Unsafe.SizeOf<T>() switch { 1 => _w1, 2 => _w2, 4 => _w4, _ => _w8 };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T ReadChecked<T>(long offset)
        where T : unmanaged
    {
        ThrowIfDisposed();
        return ReadLeased<T>(offset);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteChecked<T>(long offset, T value)
        where T : unmanaged
    {
        ThrowIfDisposed();
        WriteLeased(offset, value);
    }

    /// <summary>
    /// A read with every check but the disposal check: for the map once that check passed, and for an open
    /// <see cref="IoSysMapLease"/>, which holds the memory even after a racing Dispose.
    /// </summary>
    internal T ReadLeased<T>(long offset)
        where T : unmanaged
    {
        if (!IsSingleAccess<T>())
        {
            T composite = default;
            TransferOrThrow(offset, MemoryMarshal.AsBytes(new Span<T>(ref composite)), write: false, AccessWidths.All);
            return composite;
        }

        IoAccessError error = Check(offset, Unsafe.SizeOf<T>(), write: false, out bool unaligned);
        if (error != IoAccessError.None)
        {
            throw AccessException(error, offset, Unsafe.SizeOf<T>(), "read");
        }

        return ReadUnchecked<T>(offset, unaligned);
    }

    /// <summary>A write with every check but the disposal check: see <see cref="ReadLeased{T}(long)"/>.</summary>
    internal void WriteLeased<T>(long offset, T value)
        where T : unmanaged
    {
        if (!IsSingleAccess<T>())
        {
            TransferOrThrow(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: true, AccessWidths.All);
            return;
        }

        IoAccessError error = Check(offset, Unsafe.SizeOf<T>(), write: true, out bool unaligned);
        if (error != IoAccessError.None)
        {
            throw AccessException(error, offset, Unsafe.SizeOf<T>(), "write");
        }

        WriteUnchecked(offset, value, unaligned);
    }

    /// <summary>Every check of a single typed access, in the order errors are reported.</summary>
    private IoAccessError Check(long offset, int width, bool write, out bool unaligned)
    {
        unaligned = false;
        if ((ulong)offset > (ulong)_size || _size - offset < width)
        {
            return IoAccessError.OutOfRange;
        }

        if (((AlignmentBase + offset) & (width - 1)) != 0)
        {
            if (!Options.AllowUnaligned)
            {
                return IoAccessError.Misaligned;
            }

            unaligned = true;
        }

        if (!_rules.Allows(offset, width))
        {
            return IoAccessError.WidthRefused;
        }

        return write && Options.ReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;
    }

    /// <summary>One access of exactly sizeof(T) bytes, after the checks passed (or for the raw layer).</summary>
    internal T ReadUnchecked<T>(long offset, bool unaligned)
        where T : unmanaged
    {
        if (_shared?.Backend is { } backend)
        {
            return BackendRead<T>(backend, _regionOffset + offset);
        }

        // SAFETY: the caller checked the range (or, for the raw layer, took responsibility for it).
        byte* p = (byte*)_base + offset;
        T value = unaligned ? Unsafe.ReadUnaligned<T>(p) : VolatileRead<T>(p);
        GC.KeepAlive(this);
        return value;
    }

    /// <summary>One access of exactly sizeof(T) bytes, after the checks passed (or for the raw layer).</summary>
    internal void WriteUnchecked<T>(long offset, T value, bool unaligned)
        where T : unmanaged
    {
        if (_shared?.Backend is { } backend)
        {
            BackendWrite(backend, _regionOffset + offset, value);
            return;
        }

        // SAFETY: as in ReadUnchecked.
        byte* p = (byte*)_base + offset;
        if (unaligned)
        {
            Unsafe.WriteUnaligned(p, value);
        }
        else
        {
            VolatileWrite(p, value);
        }

        GC.KeepAlive(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T VolatileRead<T>(byte* p)
        where T : unmanaged
    {
        // SAFETY: callers pass a pointer whose sizeof(T) bytes lie inside live mapped memory, aligned to sizeof(T) unless
        // the map allows unaligned system-memory access (the checks of Read<T>, or the raw layer's caller's promise).
        // One load of exactly sizeof(T) bytes; the JIT keeps the branch for T's size only.
        if (sizeof(T) == 1)
        {
            return Unsafe.BitCast<byte, T>(Volatile.Read(ref *p));
        }

        if (sizeof(T) == 2)
        {
            return Unsafe.BitCast<ushort, T>(Volatile.Read(ref *(ushort*)p));
        }

        if (sizeof(T) == 4)
        {
            return Unsafe.BitCast<uint, T>(Volatile.Read(ref *(uint*)p));
        }

        return Unsafe.BitCast<ulong, T>(Volatile.Read(ref *(ulong*)p));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void VolatileWrite<T>(byte* p, T value)
        where T : unmanaged
    {
        // SAFETY: as in VolatileRead, for writable memory (write slots are closed on read-only maps).
        if (sizeof(T) == 1)
        {
            Volatile.Write(ref *p, Unsafe.BitCast<T, byte>(value));
        }
        else if (sizeof(T) == 2)
        {
            Volatile.Write(ref *(ushort*)p, Unsafe.BitCast<T, ushort>(value));
        }
        else if (sizeof(T) == 4)
        {
            Volatile.Write(ref *(uint*)p, Unsafe.BitCast<T, uint>(value));
        }
        else
        {
            Volatile.Write(ref *(ulong*)p, Unsafe.BitCast<T, ulong>(value));
        }
    }

    private static T BackendRead<T>(IIoBackend backend, long offset)
        where T : unmanaged => sizeof(T) switch
        {
            1 => Unsafe.BitCast<byte, T>(((IIoCapable<byte>)backend).IoRead(offset)),
            2 => Unsafe.BitCast<ushort, T>(((IIoCapable<ushort>)backend).IoRead(offset)),
            4 => Unsafe.BitCast<uint, T>(((IIoCapable<uint>)backend).IoRead(offset)),
            _ => Unsafe.BitCast<ulong, T>(((IIoCapable<ulong>)backend).IoRead(offset)),
        };

    private static void BackendWrite<T>(IIoBackend backend, long offset, T value)
        where T : unmanaged
    {
        switch (sizeof(T))
        {
            case 1: ((IIoCapable<byte>)backend).IoWrite(offset, Unsafe.BitCast<T, byte>(value)); break;
            case 2: ((IIoCapable<ushort>)backend).IoWrite(offset, Unsafe.BitCast<T, ushort>(value)); break;
            case 4: ((IIoCapable<uint>)backend).IoWrite(offset, Unsafe.BitCast<T, uint>(value)); break;
            default: ((IIoCapable<ulong>)backend).IoWrite(offset, Unsafe.BitCast<T, ulong>(value)); break;
        }
    }

    internal static ulong ToUInt64<T>(T value)
        where T : unmanaged => sizeof(T) switch
        {
            1 => Unsafe.BitCast<T, byte>(value),
            2 => Unsafe.BitCast<T, ushort>(value),
            4 => Unsafe.BitCast<T, uint>(value),
            _ => Unsafe.BitCast<T, ulong>(value),
        };

    private static ushort FromBigEndian(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static uint FromBigEndian(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static ulong FromBigEndian(ulong value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private IoAccessException AccessException(IoAccessError error, long offset, long length, string operation)
    {
        // Every message names the offset, the width and the map's size (the IoAccessException contract).
        string access = $"{length}-byte {operation} at offset {Hex(offset)} of a {Hex(_size)}-byte map";
        string message = error switch
        {
            IoAccessError.OutOfRange when IsNull => $"The {length}-byte {operation} at offset {Hex(offset)} is refused: the map is null (0x0 bytes).",
            IoAccessError.OutOfRange when offset < 0 => $"The {access} is refused: offsets are counted from the start of the map and cannot be negative.",
            IoAccessError.OutOfRange => $"The {length}-byte {operation} at offset {Hex(offset)} is outside the map: it needs bytes {Hex(offset)}..{Hex(offset + length - 1)} but the map has {Hex(_size)} bytes" +
                (_size >= length ? $" (the last {length}-byte slot starts at {Hex((_size - length) & ~(length - 1))})." : "."),
            IoAccessError.Misaligned => $"The {access} is misaligned: {(IsIoMem ? "I/O memory" : "this map")} needs {length}-byte accesses at multiples of {length} bytes.",
            IoAccessError.WidthRefused => $"The {access} is refused: the region accepts only {_rules.Throughout(offset, 1).Describe()} accesses there.",
            IoAccessError.ReadOnly => $"The {access} is refused: the map is read-only.",
            _ => $"The {access} is refused.",
        };
        return new IoAccessException(error, offset, length, _size, message);
    }
}
