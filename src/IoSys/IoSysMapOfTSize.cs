using System.Numerics;
using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A size known at compile time, for <see cref="IoSysMap{TSize}"/> (the Rust <c>IoKnownSize</c>):
/// <c>struct EduBar : IIoKnownSize { public static long Size =&gt; 0x100000; }</c>. Width rules may be declared on
/// the type with <see cref="IoWidthRuleAttribute"/>.
/// </summary>
public interface IIoKnownSize
{
    /// <summary>The size in bytes.</summary>
    static abstract long Size { get; }
}

/// <summary>
/// A map whose size is <c>TSize.Size</c>, a constant of the type: for constant offsets the JIT folds the bounds
/// and alignment checks away, leaving one test of whether the map is still usable (not disposed, width accepted
/// everywhere) and the access itself. The IoSys analyzer reports constant offsets that are out of range or
/// misaligned as compile errors. Made by <see cref="IoSysMap.AsKnownSize{TSize}(long)"/>.
/// </summary>
/// <typeparam name="TSize">The size type.</typeparam>
public sealed class IoSysMap<TSize> : IoSysMap
    where TSize : struct, IIoKnownSize
{
    internal IoSysMap(IoSysMap parent, long offset, AccessRules rules)
        : base(parent, offset, TSize.Size, rules)
    {
    }

    /// <summary>
    /// Holds the map open for a batch of accesses, as <see cref="IoSysMap.Lease"/>, with the size still known: at a
    /// constant offset the lease's check is one test of a register. See <see cref="IoSysMapLease{TSize}"/>.
    /// </summary>
    /// <returns>The lease. Dispose it to end it.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public new IoSysMapLease<TSize> Lease()
    {
        AddLease();
        return new IoSysMapLease<TSize>(this);
    }

    /// <inheritdoc cref="IoSysMap.Read8(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new byte Read8(long offset) => Read<byte>(offset);

    /// <inheritdoc cref="IoSysMap.Read16(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new ushort Read16(long offset) => Read<ushort>(offset);

    /// <inheritdoc cref="IoSysMap.Read32(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new uint Read32(long offset) => Read<uint>(offset);

    /// <inheritdoc cref="IoSysMap.Read64(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new ulong Read64(long offset) => Read<ulong>(offset);

    /// <inheritdoc cref="IoSysMap.Write8(long, byte)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new void Write8(long offset, byte value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write16(long, ushort)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new void Write16(long offset, ushort value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write32(long, uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new void Write32(long offset, uint value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write64(long, ulong)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new void Write64(long offset, ulong value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Read{T}(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new unsafe T Read<T>(long offset)
        where T : unmanaged
    {
        // For a constant offset FitsSingleAccess folds to a constant; the one run-time test left is whether the
        // base for this width (_rbN: _base while the slots are open, else 0) is set, and the access goes through it.
        nint b = KnownReadBase<T>();
        if (FitsSingleAccess<T>(offset) && b != 0)
        {
            // SAFETY: FitsSingleAccess proved 0 <= offset <= Size - sizeof(T) with Size == TSize.Size, aligned; a nonzero
            // base (set exactly when the slots are open) means the map is not disposed, its base is aligned and the width
            // accepted everywhere. KeepAlive: see IoSysMap.Read<T>.
            T value = DeviceOrdering.ReadOrdered<T>((byte*)b + offset);
            GC.KeepAlive(this);
            return value;
        }

        return base.Read<T>(offset);
    }

    /// <inheritdoc cref="IoSysMap.Write{T}(long, T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public new unsafe void Write<T>(long offset, T value)
        where T : unmanaged
    {
        nint b = KnownWriteBase<T>();
        if (FitsSingleAccess<T>(offset) && b != 0)
        {
            // SAFETY: as in Read<T>; write slots, hence write bases, are zero for read-only maps.
            DeviceOrdering.WriteOrdered((byte*)b + offset, value);
            GC.KeepAlive(this);
            return;
        }

        base.Write(offset, value);
    }

    /// <summary>
    /// Whether a <typeparamref name="T"/> at <paramref name="offset"/> is one aligned access within <c>TSize.Size</c>:
    /// folds to a constant for a constant offset. The rotation makes a misaligned or negative offset huge, so one
    /// comparison covers both (as the map's slots do). Shared with <see cref="IoSysMapLease{TSize}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe bool FitsSingleAccess<T>(long offset)
        where T : unmanaged =>
        IsSingleAccess<T>()
        && TSize.Size >= sizeof(T)
        && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) <= (ulong)((TSize.Size - sizeof(T)) >> Log2Width<T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe nint KnownReadBase<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _rb1, 2 => _rb2, 4 => _rb4, _ => _rb8 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe nint KnownWriteBase<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _wb1, 2 => _wb2, 4 => _wb4, _ => _wb8 };
}
