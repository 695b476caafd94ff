using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;

namespace IoSys;

/// <summary>What the slow path needs to know about a map besides its slots.</summary>
[Flags]
internal enum AccessFlags
{
    None = 0,

    /// <summary>I/O memory: ordered accesses carry the kernel's DMA barriers (arm64).</summary>
    IoMemory = 1,

    /// <summary>Every write is refused.</summary>
    ReadOnly = 2,

    /// <summary>Unaligned typed accesses are allowed (system memory only).</summary>
    AllowUnaligned = 4,
}

/// <summary>
/// The one access state behind <see cref="IoSysMap"/>, <see cref="IoSysMap{TSize}"/>, <see cref="IoSysMapLease"/> and
/// <see cref="IoSysMapLease{TSize}"/>: base, size, slots, rules and flags, with the one check (<see cref="Fits{T}"/>),
/// the one hot path of each kind (<see cref="ReadWithSlots{T}"/>, <see cref="WriteWithSlots{T}"/>, <see cref="ReadKnown{T}(nint, AccessFlags, long, long, bool, IoSysMap, bool)"/>,
/// <see cref="WriteKnown{T}(nint, AccessFlags, long, T, long, bool, IoSysMap, bool)"/>) and the one full check (<see cref="Check"/>). A map holds it; a lease copies it.
/// </summary>
/// <remarks>
/// <para><b>The invariant</b> (every <c>SAFETY</c> comment on an access path points here). For each width N in
/// {1, 2, 4, 8}:</para>
/// <list type="number">
/// <item>If the read slots <c>RN</c> are nonzero, then <see cref="Base"/> is nonzero and a multiple of N,
/// <see cref="Size"/> &gt;= N and <c>RN == (Size - N) / N + 1</c>, every byte of <c>[0, Size)</c> accepts N-byte
/// accesses, and <c>[Base, Base + Size)</c> stays valid memory (mapped, never freed) for as long as the object passed
/// as <c>owner</c> to the accessors (the map, or the leased map) is reachable: see <see cref="IoMemoryRegion"/>, whose
/// <c>Retire</c> keeps the range mapped and whose <c>Release</c> runs only from the finalizer.</item>
/// <item><c>WN</c> equals <c>RN</c> on a writable map and is 0 on a read-only one.</item>
/// <item><c>RBN</c> (<c>WBN</c>) is <see cref="Base"/> when <c>RN</c> (<c>WN</c>) is nonzero, else 0.</item>
/// <item>Slots and bases only change from open to 0 (<see cref="Close"/>, at dispose), never back. A lease's copy is
/// taken while the lease holds a reference on the memory, so the memory is not retired under it.</item>
/// </list>
/// <para>Hence <see cref="Fits{T}"/>, <c>RotateRight((ulong)offset, log2 N) &lt; slots</c>, proves
/// <c>0 &lt;= offset &lt;= Size - N</c> with <c>offset</c> a multiple of N (a negative or misaligned offset rotates into
/// a huge number): the N bytes at <c>Base + offset</c> are in bounds, aligned and accepted. Anything the slots do not
/// cover (refused or mixed widths, read-only writes, backends, unaligned system memory, disposal, errors) takes the one
/// slow path, <see cref="IoSysMap"/>'s <c>ReadSlow</c>/<c>WriteSlow</c>, which runs <see cref="Check"/>.</para>
/// </remarks>
internal unsafe struct AccessState
{
    /// <summary>Start of the memory, or 0 (null map, backend).</summary>
    public nint Base;

    /// <summary>Size in bytes.</summary>
    public long Size;

    /// <summary>Where alignment is measured from: the address, or for a backend the offset in its region.</summary>
    public long AlignmentBase;

    // The slots and known-size bases of each width: see the invariant.
    public ulong R1, R2, R4, R8, W1, W2, W4, W8;
    public nint RB1, RB2, RB4, RB8, WB1, WB2, WB4, WB8;

    /// <summary>The widths accepted at each offset.</summary>
    public AccessRules Rules;

    /// <summary>Space, read-only, unaligned.</summary>
    public AccessFlags Flags;

    /// <summary>Builds the state of a map and opens the fast path where the invariant allows.</summary>
    public AccessState(nint baseAddress, long size, long alignmentBase, AccessRules rules, AccessFlags flags, bool fastPath)
    {
        Base = baseAddress;
        Size = size;
        AlignmentBase = alignmentBase;
        Rules = rules;
        Flags = flags;
        if (!fastPath || baseAddress == 0)
        {
            return; // Backends and the null map are reached through the slow path only.
        }

        AccessWidths fast = size > 0 ? rules.Throughout(0, size) : AccessWidths.None;
        (R1, R2, R4, R8) = (Slots(1, fast), Slots(2, fast), Slots(4, fast), Slots(8, fast));
        if ((flags & AccessFlags.ReadOnly) == 0)
        {
            (W1, W2, W4, W8) = (R1, R2, R4, R8);
        }

        (RB1, RB2, RB4, RB8) = (BaseIfOpen(R1), BaseIfOpen(R2), BaseIfOpen(R4), BaseIfOpen(R8));
        (WB1, WB2, WB4, WB8) = (BaseIfOpen(W1), BaseIfOpen(W2), BaseIfOpen(W4), BaseIfOpen(W8));
    }

    public readonly bool IsIoMemory => (Flags & AccessFlags.IoMemory) != 0;

    public readonly bool IsReadOnly => (Flags & AccessFlags.ReadOnly) != 0;

    /// <summary>Closes the fast path (dispose): every access then takes the slow path.</summary>
    public void Close()
    {
        R1 = R2 = R4 = R8 = W1 = W2 = W4 = W8 = 0;
        RB1 = RB2 = RB4 = RB8 = WB1 = WB2 = WB4 = WB8 = 0;
    }

    // --- The one check ------------------------------------------------------------------------------------------

    /// <summary>
    /// THE check: whether a <typeparamref name="T"/> at <paramref name="offset"/> is one aligned access among
    /// <paramref name="slots"/> slots of its width. A constant <paramref name="slots"/> (known sizes) folds it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Fits<T>(long offset, ulong slots)
        where T : unmanaged =>
        IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) < slots;

    /// <summary>The slots of <paramref name="size"/> bytes for a <typeparamref name="T"/>; a constant for a constant size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SlotCount<T>(long size)
        where T : unmanaged => size >= sizeof(T) ? (ulong)((size - sizeof(T)) >> Log2Width<T>()) + 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSingleAccess<T>() => Unsafe.SizeOf<T>() is 1 or 2 or 4 or 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Log2Width<T>() => Unsafe.SizeOf<T>() switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };

    // --- The hot paths ------------------------------------------------------------------------------------------

    /// <summary>A checked read at a run-time offset: the slots, else the slow path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Read<T>(long offset, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged => ReadWithSlots<T>(Base, SlotsFor<T>(write: false), Flags, offset, relaxed, owner, leased);

    /// <summary>
    /// THE run-time-offset read, given the state's base, the read slots of <typeparamref name="T"/>'s width and the
    /// flags. Static, so that a map passes its own fields (<c>IoSysMap.ReadCore</c>): the slots load is then the
    /// map's null check and the base is read at its field's address, where an instance call would first take the
    /// state's address into a register and read through it (one more instruction per access).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadWithSlots<T>(nint baseAddress, ulong slots, AccessFlags flags, long offset, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged
    {
        if (Fits<T>(offset, slots))
        {
            // SAFETY: the invariant of AccessState, with Fits: in bounds, aligned, accepted; KeepAlive keeps the owner,
            // hence the memory, reachable until the access is made.
            T value = Load<T>(baseAddress, (nint)offset, relaxed, (flags & AccessFlags.IoMemory) != 0);
            GC.KeepAlive(owner);
            return value;
        }

        return IoSysMap.ReadSlow<T>(owner, offset, relaxed, leased);
    }

    /// <summary>A checked write at a run-time offset: the slots, else the slow path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write<T>(long offset, T value, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged => WriteWithSlots(Base, SlotsFor<T>(write: true), Flags, offset, value, relaxed, owner, leased);

    /// <summary>THE run-time-offset write, given the base, the write slots of <typeparamref name="T"/>'s width and the flags: see <see cref="ReadWithSlots{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteWithSlots<T>(nint baseAddress, ulong slots, AccessFlags flags, long offset, T value, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged
    {
        if (Fits<T>(offset, slots))
        {
            // SAFETY: the invariant of AccessState (write slots are 0 on read-only maps), with Fits.
            Store(baseAddress, (nint)offset, value, relaxed, (flags & AccessFlags.IoMemory) != 0);
            GC.KeepAlive(owner);
            return;
        }

        IoSysMap.WriteSlow(owner, offset, value, relaxed, leased);
    }

    /// <summary>
    /// A checked read in a known-size window of <paramref name="knownSize"/> bytes (a constant): the check folds for a
    /// constant offset, leaving one test of the base of that width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T ReadKnown<T>(long offset, long knownSize, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged => ReadKnown<T>(KnownBaseFor<T>(write: false), Flags, offset, knownSize, relaxed, owner, leased);

    /// <summary>
    /// THE known-size read, given the known-size base of <typeparamref name="T"/>'s width and the flags. Static for the
    /// reason <see cref="ReadWithSlots{T}"/> is: a map passes its own field, read at its address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadKnown<T>(nint knownBase, AccessFlags flags, long offset, long knownSize, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged
    {
        if (Fits<T>(offset, SlotCount<T>(knownSize)) && knownBase != 0)
        {
            // SAFETY: the invariant of AccessState: a nonzero base means the slots are open, and knownSize is the Size
            // they were built from (IoSysMap<TSize> captures it once), so Fits proved the access in bounds and aligned.
            T value = Load<T>(knownBase, (nint)offset, relaxed, (flags & AccessFlags.IoMemory) != 0);
            GC.KeepAlive(owner);
            return value;
        }

        return IoSysMap.ReadSlow<T>(owner, offset, relaxed, leased);
    }

    /// <summary>A checked write in a known-size window: see <see cref="ReadKnown{T}(long, long, bool, IoSysMap, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void WriteKnown<T>(long offset, T value, long knownSize, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged => WriteKnown(KnownBaseFor<T>(write: true), Flags, offset, value, knownSize, relaxed, owner, leased);

    /// <summary>THE known-size write: see <see cref="ReadKnown{T}(nint, AccessFlags, long, long, bool, IoSysMap, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteKnown<T>(nint knownBase, AccessFlags flags, long offset, T value, long knownSize, bool relaxed, IoSysMap? owner, bool leased)
        where T : unmanaged
    {
        if (Fits<T>(offset, SlotCount<T>(knownSize)) && knownBase != 0)
        {
            // SAFETY: as in ReadKnown; write bases are 0 on read-only maps.
            Store(knownBase, (nint)offset, value, relaxed, (flags & AccessFlags.IoMemory) != 0);
            GC.KeepAlive(owner);
            return;
        }

        IoSysMap.WriteSlow(owner, offset, value, relaxed, leased);
    }

    /// <summary>
    /// The one load: ordered (<c>readX</c>) or relaxed (<c>readX_relaxed</c>) through <see cref="DeviceOrdering"/>.
    /// System memory and x86-64 take the relaxed form (a plain volatile load, as the kernel's <c>READ_ONCE</c>);
    /// <c>ArmBase.Arm64.IsSupported</c> is a JIT constant, so on x86-64 the test costs nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Load<T>(byte* address, bool relaxed)
        where T : unmanaged => Load<T>((nint)address, 0, relaxed, IsIoMemory);

    /// <summary>The one store: see <see cref="Load{T}(byte*, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store<T>(byte* address, T value, bool relaxed)
        where T : unmanaged => Store((nint)address, 0, value, relaxed, IsIoMemory);

    // The address is formed at its one use in each branch below, never passed in: an inlinee argument used twice is
    // computed into a temporary first, and the JIT then cannot fold base + offset (or base + index * size) into the
    // access's addressing mode, which costs one more instruction per access in every caller's loop
    // (bench: RuntimeOffsetBenchmarks, the lease and view rows).

    /// <summary>The one load at <paramref name="baseAddress"/> + <paramref name="offset"/> bytes, for holders of a flag rather than a state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Load<T>(nint baseAddress, nint offset, bool relaxed, bool ioMemory)
        where T : unmanaged
    {
        if (!relaxed && ArmBase.Arm64.IsSupported && ioMemory)
        {
            return DeviceOrdering.ReadOrdered<T>((byte*)baseAddress + offset);
        }

        return DeviceOrdering.ReadRelaxed<T>((byte*)baseAddress + offset);
    }

    /// <summary>The one load of element <paramref name="index"/> of a <typeparamref name="T"/> array at <paramref name="baseAddress"/> (<see cref="IoArrayView{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadElement<T>(nint baseAddress, nuint index, bool relaxed, bool ioMemory)
        where T : unmanaged
    {
        if (!relaxed && ArmBase.Arm64.IsSupported && ioMemory)
        {
            return DeviceOrdering.ReadOrdered<T>((byte*)((T*)baseAddress + index));
        }

        return DeviceOrdering.ReadRelaxed<T>((byte*)((T*)baseAddress + index));
    }

    /// <summary>The one store at <paramref name="baseAddress"/> + <paramref name="offset"/> bytes: see <see cref="Load{T}(nint, nint, bool, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(nint baseAddress, nint offset, T value, bool relaxed, bool ioMemory)
        where T : unmanaged
    {
        if (!relaxed && ArmBase.Arm64.IsSupported && ioMemory)
        {
            DeviceOrdering.WriteOrdered((byte*)baseAddress + offset, value);
            return;
        }

        DeviceOrdering.WriteRelaxed((byte*)baseAddress + offset, value);
    }

    /// <summary>The one store of element <paramref name="index"/>: see <see cref="LoadElement{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreElement<T>(nint baseAddress, nuint index, T value, bool relaxed, bool ioMemory)
        where T : unmanaged
    {
        if (!relaxed && ArmBase.Arm64.IsSupported && ioMemory)
        {
            DeviceOrdering.WriteOrdered((byte*)((T*)baseAddress + index), value);
            return;
        }

        DeviceOrdering.WriteRelaxed((byte*)((T*)baseAddress + index), value);
    }

    /// <summary>Whether reads of <paramref name="width"/> bytes take the fast path: by the invariant, every byte of the map then accepts that width.</summary>
    public readonly bool ReadSlotsOpen(int width) => width switch { 1 => R1, 2 => R2, 4 => R4, 8 => R8, _ => 0 } != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong SlotsFor<T>(bool write)
        where T : unmanaged => (sizeof(T), write) switch
        {
            (1, false) => R1,
            (2, false) => R2,
            (4, false) => R4,
            (_, false) => R8,
            (1, true) => W1,
            (2, true) => W2,
            (4, true) => W4,
            _ => W8,
        };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly nint KnownBaseFor<T>(bool write)
        where T : unmanaged => (sizeof(T), write) switch
        {
            (1, false) => RB1,
            (2, false) => RB2,
            (4, false) => RB4,
            (_, false) => RB8,
            (1, true) => WB1,
            (2, true) => WB2,
            (4, true) => WB4,
            _ => WB8,
        };

    // --- The full check (slow path, planner, public checks) -----------------------------------------------------

    /// <summary>Whether <c>[offset, offset + length)</c> lies within the map (no overflow, no negative numbers).</summary>
    public readonly bool InRange(long offset, long length) =>
        length >= 0 && (ulong)offset <= (ulong)Size && Size - offset >= length;

    /// <summary>Every check of a single typed access of <paramref name="width"/> bytes, in the order errors are reported.</summary>
    public readonly IoAccessError Check(long offset, int width, bool write, out bool unaligned)
    {
        unaligned = false;
        if (!InRange(offset, width))
        {
            return IoAccessError.OutOfRange;
        }

        if (((AlignmentBase + offset) & (width - 1)) != 0)
        {
            if ((Flags & AccessFlags.AllowUnaligned) == 0)
            {
                return IoAccessError.Misaligned;
            }

            unaligned = true;
        }

        if (!Rules.Allows(offset, width))
        {
            return IoAccessError.WidthRefused;
        }

        return write && IsReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;
    }

    private readonly ulong Slots(int width, AccessWidths fast) =>
        fast.Allows(width) && (Base & (width - 1)) == 0 && Size >= width ? (ulong)((Size - width) / width) + 1 : 0;

    private readonly nint BaseIfOpen(ulong slots) => slots != 0 ? Base : 0;
}

/// <summary>
/// The one place that builds access errors: every message names the offset, the width or length and the map's size
/// (the <see cref="IoAccessException"/> contract), with end offsets computed without overflow.
/// </summary>
internal static class AccessErrors
{
    /// <summary>Throws the error of a refused single access or range.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    public static void Throw(IoAccessException exception) => throw exception;

    /// <summary>Throws <see cref="ObjectDisposedException"/> for a disposed map.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    public static void ThrowDisposed(string? what) =>
        throw new ObjectDisposedException(what, "The map was disposed: its memory can no longer be accessed.");

    /// <summary>Throws <see cref="ObjectDisposedException"/> for an ended lease.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    public static void ThrowLeaseEnded() =>
        throw new ObjectDisposedException(nameof(IoSysMapLease), "The lease has ended: take a new one with IoSysMap.Lease().");

    /// <summary>
    /// The exception for a refused access. <paramref name="single"/>: a typed access of <paramref name="length"/>
    /// bytes (1, 2, 4 or 8); otherwise a range (bulk transfer, window) of <paramref name="length"/> bytes, with
    /// <paramref name="failedAt"/> the first offset no accepted access covers.
    /// </summary>
    public static IoAccessException Create(
        IoSysMap map, IoAccessError error, long offset, long length, string operation, bool single,
        long failedAt = 0, AccessWidths widths = AccessWidths.All, bool isNull = false)
    {
        ref readonly AccessState state = ref map._state;
        long size = state.Size;
        string len = single ? $"{length}-byte" : $"{Hex(length)}-byte";
        string access = $"{len} {operation} at offset {Hex(offset)} of a {Hex(size)}-byte map";
        string message = (error, single) switch
        {
            (IoAccessError.OutOfRange, true) when isNull => $"The {len} {operation} at offset {Hex(offset)} is refused: the map is null (0x0 bytes).",
            (IoAccessError.OutOfRange, _) when length < 0 => $"The {operation} at offset {Hex(offset)} of a {Hex(size)}-byte map is refused: its length {length} is negative.",
            (IoAccessError.OutOfRange, true) when offset < 0 => $"The {access} is refused: offsets are counted from the start of the map and cannot be negative.",
            (IoAccessError.OutOfRange, true) => $"The {len} {operation} at offset {Hex(offset)} is outside the map: it needs bytes {Hex(offset)}..{End(offset, length)} but the map has {Hex(size)} bytes" +
                (size >= length ? $" (the last {length}-byte slot starts at {Hex((size - length) & ~(length - 1))})." : "."),
            (IoAccessError.OutOfRange, false) => $"The {len} {operation} at offset {Hex(offset)} is outside the map: it needs bytes up to offset {Hex(offset)} + {Hex(length)} but the map has {Hex(size)} bytes.",
            (IoAccessError.Misaligned, _) => $"The {access} is misaligned: {(state.IsIoMemory ? "I/O memory" : "this map")} needs {length}-byte accesses at multiples of {length} bytes.",
            (IoAccessError.WidthRefused, true) => $"The {access} is refused: the region accepts only {state.Rules.Throughout(offset, 1).Describe()} accesses there.",
            (IoAccessError.WidthRefused, false) => $"The {access} is refused: no aligned access that the region accepts ({(state.Rules.Throughout(failedAt, 1) & widths).Describe()} at that point) covers offset {Hex(failedAt)}.",
            (IoAccessError.ReadOnly, _) => $"The {access} is refused: the map is read-only.",
            _ => $"The {access} is refused.",
        };
        return new IoAccessException(error, error == IoAccessError.WidthRefused && !single ? failedAt : offset, length, size, message,
            map.TargetName);
    }

    /// <summary>A window or view that does not fit: <c>[offset, offset + length)</c> outside <paramref name="map"/>.</summary>
    public static IoAccessException Range(IoSysMap map, long offset, long length, string what) =>
        new(IoAccessError.OutOfRange, offset, length, map.Size,
            $"A {what} of {Hex(length)} bytes at offset {Hex(offset)} does not fit in the map of {Hex(map.Size)} bytes.",
            map.TargetName);

    /// <summary>Hex with a sign: <c>0x10</c>, <c>-0x10</c>.</summary>
    public static string Hex(long value) => value < 0
        ? "-0x" + (0UL - (ulong)value).ToString("x", CultureInfo.InvariantCulture)
        : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    // The last byte of [offset, offset + length): computed unsigned, so near long.MaxValue it neither wraps negative
    // nor overflows (issue 16 row 7).
    private static string End(long offset, long length) =>
        offset < 0 ? Hex(offset + length - 1) : "0x" + ((ulong)offset + (ulong)length - 1).ToString("x", CultureInfo.InvariantCulture);
}
