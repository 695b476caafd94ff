using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A lease on a known-size map (made by <see cref="IoSysMap{TSize}.Lease"/>): the checked accesses of
/// <see cref="IoSysMapLease"/>, with the bounds and alignment of a constant offset checked by the JIT against
/// <c>TSize.Size</c>. What is left at run time is one test of a register per access: whether the map accepts that
/// width everywhere (the base copied for that width is then nonzero).
/// </summary>
/// <typeparam name="TSize">The size type.</typeparam>
/// <remarks>Lifetime, checks and copying: as <see cref="IoSysMapLease"/>.</remarks>
[FixedWidthAccessors("leased map", "The lease has ended.")]
public ref partial struct IoSysMapLease<TSize>
    where TSize : struct, IIoKnownSize
{
    private IoSysMap? _map;

    // A copy of the map's access state (see AccessState), taken while the lease holds the memory.
    private readonly AccessState _state;

    internal IoSysMapLease(IoSysMap<TSize> map)
    {
        _map = map;
        _state = map._state;
    }

    /// <inheritdoc cref="IoSysMapLease.Map"/>
    public readonly IoSysMap Map => _map ?? throw IoSysMapLease.Ended();

    /// <summary>Size of the map in bytes: <c>TSize.Size</c> (as read once when the first window of the type was made).</summary>
    public readonly long Size => KnownSize<TSize>.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly T ReadCore<T>(long offset, bool relaxed)
        where T : unmanaged => _state.ReadKnown<T>(offset, KnownSize<TSize>.Value, relaxed, _map, leased: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void WriteCore<T>(long offset, T value, bool relaxed)
        where T : unmanaged => _state.WriteKnown(offset, value, KnownSize<TSize>.Value, relaxed, _map, leased: true);
}
