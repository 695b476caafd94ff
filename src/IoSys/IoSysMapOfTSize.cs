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
        // For a constant offset the first two tests fold to constants; _rN != 0 is the one run-time test left.
        if (sizeof(T) is 1 or 2 or 4 or 8
            && (ulong)offset <= (ulong)(TSize.Size - sizeof(T))
            && (offset & (sizeof(T) - 1)) == 0
            && KnownReadSlots<T>() != 0)
        {
            // SAFETY: 0 <= offset <= Size - sizeof(T) with Size == TSize.Size, aligned; nonzero slots mean the map is
            // not disposed, its base is aligned and the width accepted everywhere. KeepAlive: see IoSysMap.Read<T>.
            T value = VolatileRead<T>((byte*)_base + offset);
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
        if (sizeof(T) is 1 or 2 or 4 or 8
            && (ulong)offset <= (ulong)(TSize.Size - sizeof(T))
            && (offset & (sizeof(T) - 1)) == 0
            && KnownWriteSlots<T>() != 0)
        {
            // SAFETY: as in Read<T>; write slots are zero for read-only maps.
            VolatileWrite((byte*)_base + offset, value);
            GC.KeepAlive(this);
            return;
        }

        base.Write(offset, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe ulong KnownReadSlots<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _r1, 2 => _r2, 4 => _r4, _ => _r8 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe ulong KnownWriteSlots<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _w1, 2 => _w2, 4 => _w4, _ => _w8 };
}
