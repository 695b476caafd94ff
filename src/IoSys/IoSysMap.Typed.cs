using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoSys;

// The typed accessors (Read<T>, Read8..Read64, their Relaxed and Try forms) are generated from one definition by
// IoSys.Generators (see FixedWidthAccessorsGenerator); they forward to ReadCore/WriteCore here, which is the
// AccessState hot path with this map as owner.
public partial class IoSysMap
{
    // The slots, base and flags are read straight off this map's fields and handed to the static hot path: calling a
    // member of _state would take _state's address (a lea, which cannot fault), so the JIT would add a separate null
    // check of the map per access (`cmp [map], map`) and read the base through that address. The slots load is the
    // null check (bench: RuntimeOffsetBenchmarks, IoSys_Read32).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T ReadCore<T>(long offset, bool relaxed)
        where T : unmanaged
    {
        ulong slots = Unsafe.SizeOf<T>() switch { 1 => _state.R1, 2 => _state.R2, 4 => _state.R4, _ => _state.R8 };
        return AccessState.ReadWithSlots<T>(_state.Base, slots, _state.Flags, offset, relaxed, this, leased: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteCore<T>(long offset, T value, bool relaxed)
        where T : unmanaged
    {
        ulong slots = Unsafe.SizeOf<T>() switch { 1 => _state.W1, 2 => _state.W2, 4 => _state.W4, _ => _state.W8 };
        AccessState.WriteWithSlots(_state.Base, slots, _state.Flags, offset, value, relaxed, this, leased: false);
    }

    /// <summary>Reads a <typeparamref name="T"/> (ordered), or returns false if the access is refused (see <see cref="Read{T}(long)"/>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value read, or default.</param>
    /// <returns>True if read; false (reading nothing) if out of range, misaligned or refused.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryRead<T>([IoOffset] long offset, out T value)
        where T : unmanaged
    {
        ThrowIfDisposed();
        value = default;
        if (!AccessState.IsSingleAccess<T>())
        {
            return TryTransfer(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: false, AccessWidths.All) == IoAccessError.None;
        }

        if (_state.Check(offset, Unsafe.SizeOf<T>(), write: false, out bool unaligned) != IoAccessError.None)
        {
            return false;
        }

        value = ReadUnchecked<T>(offset, unaligned, relaxed: false);
        return true;
    }

    /// <summary>Writes a <typeparamref name="T"/> (ordered), or returns false (writing nothing) if the access is refused.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <returns>True if written; false if out of range, misaligned, refused or read-only.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWrite<T>([IoOffset] long offset, T value)
        where T : unmanaged
    {
        ThrowIfDisposed();
        if (!AccessState.IsSingleAccess<T>())
        {
            return TryTransfer(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: true, AccessWidths.All) == IoAccessError.None;
        }

        if (_state.Check(offset, Unsafe.SizeOf<T>(), write: true, out bool unaligned) != IoAccessError.None)
        {
            return false;
        }

        WriteUnchecked(offset, value, unaligned, relaxed: false);
        return true;
    }

    /// <summary>Reads a big-endian 16-bit value at <paramref name="offset"/> in one access; see <see cref="Read16(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2.</param>
    /// <returns>The value, in host order.</returns>
    public ushort ReadBigEndian16([IoOffset(2)] long offset) => FromBigEndian(Read16(offset));

    /// <summary>Reads a big-endian 32-bit value at <paramref name="offset"/> in one access; see <see cref="Read32(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4.</param>
    /// <returns>The value, in host order.</returns>
    public uint ReadBigEndian32([IoOffset(4)] long offset) => FromBigEndian(Read32(offset));

    /// <summary>Reads a big-endian 64-bit value at <paramref name="offset"/> in one access; see <see cref="Read64(long)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 8.</param>
    /// <returns>The value, in host order.</returns>
    public ulong ReadBigEndian64([IoOffset(8)] long offset) => FromBigEndian(Read64(offset));

    /// <summary>Writes a 16-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write16(long, ushort)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian16([IoOffset(2)] long offset, ushort value) => Write16(offset, FromBigEndian(value));

    /// <summary>Writes a 32-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write32(long, uint)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian32([IoOffset(4)] long offset, uint value) => Write32(offset, FromBigEndian(value));

    /// <summary>Writes a 64-bit value big-endian at <paramref name="offset"/> in one access; see <see cref="Write64(long, ulong)"/>.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 8.</param>
    /// <param name="value">The value, in host order.</param>
    public void WriteBigEndian64([IoOffset(8)] long offset, ulong value) => Write64(offset, FromBigEndian(value));

    /// <summary>
    /// Checks an access of <paramref name="width"/> bytes without making it.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="width">Access width in bytes: 1, 2, 4 or 8.</param>
    /// <param name="write">Whether the access is a write.</param>
    /// <returns><see cref="IoAccessError.None"/> if the access would be made, otherwise why it would be refused.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8.</exception>
    public IoAccessError CheckAccess([IoOffset(WidthParameter = nameof(width))] long offset, int width, bool write)
    {
        _ = AccessWidthsExtensions.FromBytes(width);
        return _state.Check(offset, width, write, out _);
    }

    /// <summary>The exception the library throws for a refused access, for callers of <see cref="CheckAccess"/>.</summary>
    /// <param name="error">The error <see cref="CheckAccess"/> returned; not <see cref="IoAccessError.None"/>.</param>
    /// <param name="offset">Offset in bytes.</param>
    /// <param name="width">Access width in bytes.</param>
    /// <param name="write">Whether the access is a write.</param>
    /// <returns>The exception, naming the offset, width and size.</returns>
    public IoAccessException CreateAccessException(IoAccessError error, [IoOffset(WidthParameter = nameof(width))] long offset, int width, bool write) =>
        AccessException(error, offset, width, write ? "write" : "read");

    // --- The one slow path ----------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSingleAccess<T>() => AccessState.IsSingleAccess<T>();

    /// <summary>
    /// Everything the slots do not cover, for maps and leases alike: <paramref name="owner"/> null means an ended
    /// lease; <paramref name="leased"/> skips the disposal check (an open lease holds the memory even after a racing
    /// Dispose). Static, so that no call takes a lease's address: an address-exposed lease lives on the stack, and
    /// each access then reloads its fields from there (bench: ConstantOffsetBenchmarks, RuntimeOffsetBenchmarks).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static T ReadSlow<T>(IoSysMap? owner, long offset, bool relaxed, bool leased)
        where T : unmanaged
    {
        IoSysMap map = Usable(owner, leased);
        if (!IsSingleAccess<T>())
        {
            T composite = default;
            map.TransferOrThrow(offset, MemoryMarshal.AsBytes(new Span<T>(ref composite)), write: false, AccessWidths.All);
            return composite;
        }

        IoAccessError error = map._state.Check(offset, Unsafe.SizeOf<T>(), write: false, out bool unaligned);
        if (error != IoAccessError.None)
        {
            AccessErrors.Throw(map.AccessException(error, offset, Unsafe.SizeOf<T>(), "read"));
        }

        return map.ReadUnchecked<T>(offset, unaligned, relaxed);
    }

    /// <summary>The write side of <see cref="ReadSlow{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void WriteSlow<T>(IoSysMap? owner, long offset, T value, bool relaxed, bool leased)
        where T : unmanaged
    {
        IoSysMap map = Usable(owner, leased);
        if (!IsSingleAccess<T>())
        {
            map.TransferOrThrow(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)), write: true, AccessWidths.All);
            return;
        }

        IoAccessError error = map._state.Check(offset, Unsafe.SizeOf<T>(), write: true, out bool unaligned);
        if (error == IoAccessError.None)
        {
            map.WriteUnchecked(offset, value, unaligned, relaxed);
            return;
        }

        AccessErrors.Throw(map.AccessException(error, offset, Unsafe.SizeOf<T>(), "write"));
    }

    // The slow path's first checks: an ended lease (no owner), then, unless a lease holds the memory, disposal.
    private static IoSysMap Usable(IoSysMap? owner, bool leased)
    {
        if (owner is null)
        {
            AccessErrors.ThrowLeaseEnded();
        }

        if (!leased)
        {
            owner.ThrowIfDisposed();
        }

        return owner;
    }

    /// <summary>One access of exactly sizeof(T) bytes, after the checks passed (or for the raw layer).</summary>
    internal unsafe T ReadUnchecked<T>(long offset, bool unaligned, bool relaxed)
        where T : unmanaged
    {
        if (_shared?.Backend is { } backend)
        {
            return BackendRead<T>(backend, _regionOffset + offset);
        }

        // SAFETY: the caller ran AccessState.Check (or, for the raw layer, took responsibility for the range); the
        // memory stays valid while this map is reachable (AccessState's invariant), and KeepAlive keeps it so.
        byte* p = (byte*)_state.Base + offset;
        T value = unaligned ? Unsafe.ReadUnaligned<T>(p) : _state.Load<T>(p, relaxed);
        GC.KeepAlive(this);
        return value;
    }

    /// <summary>One access of exactly sizeof(T) bytes, after the checks passed (or for the raw layer).</summary>
    internal unsafe void WriteUnchecked<T>(long offset, T value, bool unaligned, bool relaxed)
        where T : unmanaged
    {
        if (_shared?.Backend is { } backend)
        {
            BackendWrite(backend, _regionOffset + offset, value);
            return;
        }

        // SAFETY: as in ReadUnchecked.
        byte* p = (byte*)_state.Base + offset;
        if (unaligned)
        {
            Unsafe.WriteUnaligned(p, value);
        }
        else
        {
            _state.Store(p, value, relaxed);
        }

        GC.KeepAlive(this);
    }

    /// <summary>One volatile load of exactly sizeof(T) bytes: the body of DeviceOrdering's accesses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe T VolatileRead<T>(byte* p)
        where T : unmanaged
    {
        // SAFETY: callers pass a pointer whose sizeof(T) bytes lie inside live mapped memory, aligned to sizeof(T)
        // (AccessState's invariant and checks, or the raw layer's caller's promise). The JIT keeps T's branch only.
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

    /// <summary>One volatile store of exactly sizeof(T) bytes: the body of DeviceOrdering's accesses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void VolatileWrite<T>(byte* p, T value)
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
        where T : unmanaged => Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.BitCast<byte, T>(((IIoCapable<byte>)backend).IoRead(offset)),
            2 => Unsafe.BitCast<ushort, T>(((IIoCapable<ushort>)backend).IoRead(offset)),
            4 => Unsafe.BitCast<uint, T>(((IIoCapable<uint>)backend).IoRead(offset)),
            _ => Unsafe.BitCast<ulong, T>(((IIoCapable<ulong>)backend).IoRead(offset)),
        };

    private static void BackendWrite<T>(IIoBackend backend, long offset, T value)
        where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 1: ((IIoCapable<byte>)backend).IoWrite(offset, Unsafe.BitCast<T, byte>(value)); break;
            case 2: ((IIoCapable<ushort>)backend).IoWrite(offset, Unsafe.BitCast<T, ushort>(value)); break;
            case 4: ((IIoCapable<uint>)backend).IoWrite(offset, Unsafe.BitCast<T, uint>(value)); break;
            default: ((IIoCapable<ulong>)backend).IoWrite(offset, Unsafe.BitCast<T, ulong>(value)); break;
        }
    }

    internal static ulong ToUInt64<T>(T value)
        where T : unmanaged => Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.BitCast<T, byte>(value),
            2 => Unsafe.BitCast<T, ushort>(value),
            4 => Unsafe.BitCast<T, uint>(value),
            _ => Unsafe.BitCast<T, ulong>(value),
        };

    private static ushort FromBigEndian(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static uint FromBigEndian(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static ulong FromBigEndian(ulong value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private IoAccessException AccessException(IoAccessError error, long offset, long length, string operation) =>
        AccessErrors.Create(this, error, offset, length, operation, single: true, isNull: IsNull);
}
