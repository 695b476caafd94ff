using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A size known at compile time, for <see cref="IoSysMap{TSize}"/> (the Rust <c>IoKnownSize</c>):
/// <c>struct EduBar : IIoKnownSize { public static long Size =&gt; 0x100000; }</c>. Width rules may be declared on
/// the type with <see cref="IoWidthRuleAttribute"/>.
/// </summary>
public interface IIoKnownSize
{
    /// <summary>The size in bytes. Read once per type per process: a value that changes later is not seen.</summary>
    static abstract long Size { get; }
}

/// <summary>
/// A map whose size is <c>TSize.Size</c>, a constant of the type: for constant offsets the JIT folds the bounds
/// and alignment checks away, leaving one test of whether the map is still usable (not disposed, width accepted
/// everywhere) and the access itself. The IoSys analyzer reports constant offsets that are out of range or
/// misaligned as compile errors. Made by <see cref="IoSysMap.AsKnownSize{TSize}(long)"/>.
/// </summary>
/// <remarks>
/// <c>TSize.Size</c> is read once per type, the first time it is needed, and that value is the size of every window of
/// the type: an implementation whose <c>Size</c> is not a constant cannot make a window reach outside what was checked
/// when it was made.
/// </remarks>
/// <typeparam name="TSize">The size type.</typeparam>
[FixedWidthAccessors("map", "The map is disposed.")]
public sealed partial class IoSysMap<TSize> : IoSysMap
    where TSize : struct, IIoKnownSize
{
    internal IoSysMap(IoSysMap parent, long offset, AccessRules rules)
        : base(parent, offset, KnownSize<TSize>.Value, rules)
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

    // The base of T's width is read straight off this map's field and handed to the static hot path, as IoSysMap's
    // ReadCore does with the slots: a member call on _state would keep _state's address in a register and copy it
    // before every access (bench: ConstantOffsetBenchmarks, IoSys_KnownSize_Read32).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T ReadCore<T>(long offset, bool relaxed)
        where T : unmanaged
    {
        nint knownBase = Unsafe.SizeOf<T>() switch { 1 => _state.RB1, 2 => _state.RB2, 4 => _state.RB4, _ => _state.RB8 };
        return AccessState.ReadKnown<T>(knownBase, _state.Flags, offset, KnownSize<TSize>.Value, relaxed, this, leased: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteCore<T>(long offset, T value, bool relaxed)
        where T : unmanaged
    {
        nint knownBase = Unsafe.SizeOf<T>() switch { 1 => _state.WB1, 2 => _state.WB2, 4 => _state.WB4, _ => _state.WB8 };
        AccessState.WriteKnown(knownBase, _state.Flags, offset, value, KnownSize<TSize>.Value, relaxed, this, leased: false);
    }
}

/// <summary>
/// <c>TSize.Size</c>, read once per type (issue 16 row 8: a <c>Size</c> that is not a constant must not move a window
/// after it was validated). A static readonly field of an initialized class is a constant to the JIT, so a constant
/// offset's check still folds.
/// </summary>
internal static class KnownSize<TSize>
    where TSize : struct, IIoKnownSize
{
    public static readonly long Value = TSize.Size;
}
