using System.Globalization;
using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// One handle to a buffer in system memory or in I/O memory, after the kernel's <c>struct iosys_map</c>, that
/// knows its size and checks every access: typed 8/16/32/64-bit reads and writes at <em>offsets</em> (bytes from
/// the start of the map; never addresses), bulk copies, fills, struct fields, windows and polling.
/// </summary>
/// <remarks>
/// <para><b>Checks.</b> Every safe access checks, before touching memory: that <c>offset + length</c> does not
/// overflow and is at most <see cref="Size"/>; that the offset is aligned to the access width (unless
/// <see cref="IoMapOptions.AllowUnaligned"/>, system memory only); that the region accepts that width there
/// (<see cref="IoMapOptions.Widths"/>, <see cref="IoMapOptions.WidthRules"/>); and that the map is writable, for writes.
/// A failed check throws <see cref="IoAccessException"/> (the <c>Try*</c> forms return false instead) and
/// nothing is read or written.</para>
/// <para><b>Semantics.</b> On I/O memory, each typed access is exactly one volatile access of the asked width,
/// never split or merged; bulk operations use aligned accesses no wider than the region accepts. On system
/// memory, typed accesses are volatile and bulk operations are vectorized copies.</para>
/// <para><b>Lifetime.</b> A map made by a factory owns its memory; <see cref="Slice(long, long)"/> and
/// <see cref="AsKnownSize{TSize}(long)"/> make windows that share it. Disposing the owner makes every map over
/// the memory throw <see cref="ObjectDisposedException"/>; disposing a window affects only that window. No
/// interleaving of threads through the safe API reaches freed memory (see <see cref="IoMemoryRegion"/>). A thread
/// racing with <see cref="Dispose"/> without synchronization may complete one access to the retired memory.
/// <see cref="Lease"/> holds the memory for a batch of accesses: it is retired only when the last lease ends.</para>
/// <para>Maps are safe to use from several threads; the device decides what concurrent accesses mean.</para>
/// </remarks>
[FixedWidthAccessors("map", "The map is disposed.", TryForms = true)]
public partial class IoSysMap : IDisposable, IEquatable<IoSysMap>
{
    // The one access state (base, size, slots, rules, flags) and its invariant: see AccessState. Windows and
    // known-size maps hold their own; leases copy it.
    internal AccessState _state;

    private readonly MapShared? _shared;
    private readonly long _regionOffset;
    private readonly bool _ownsMemory;
    private volatile bool _disposed;

    // This map's entry in its MapShared's set of live maps, removed in O(1) when the map is disposed on its own.
    private WeakReference<IoSysMap>? _registration;

    private IoSysMap()
    {
        _state = new AccessState(0, 0, 0, AccessRules.Uniform(AccessWidths.All), AccessFlags.None, fastPath: false);
    }

    private IoSysMap(MapShared shared, long size, AccessRules rules)
    {
        _shared = shared;
        _ownsMemory = true;
        nint baseAddress = shared.Memory?.Address ?? 0;
        _state = new AccessState(baseAddress, size, baseAddress != 0 ? baseAddress : 0, rules, shared.Flags, shared.Backend is null);
        shared.Register(this); // After the state is built: see the window constructor.
    }

    /// <summary>Creates a window over <paramref name="parent"/>: <c>[offset, offset + length)</c>, already validated.</summary>
    private protected IoSysMap(IoSysMap parent, long offset, long length, AccessRules rules)
    {
        _shared = parent._shared;
        _regionOffset = parent._regionOffset + offset;
        nint baseAddress = parent._state.Base == 0 ? 0 : parent._state.Base + (nint)offset;
        // Open the fast path before registering: once registered, a racing Dispose may invalidate this map, and
        // opening the slots after that would leave a disposed window readable.
        _state = new AccessState(baseAddress, length, baseAddress != 0 ? baseAddress : _regionOffset, rules,
            _shared?.Flags ?? AccessFlags.None, _shared is { Backend: null });
        _shared?.Register(this);
    }

    /// <summary>The null map (the kernel's cleared <c>iosys_map</c>): system memory, 0 bytes, every access refused.</summary>
    public static IoSysMap Null { get; } = new();

    /// <summary>Size of the map in bytes. Every access must lie within <c>[0, Size)</c>.</summary>
    public long Size => _state.Size;

    /// <summary>
    /// What the map is over (a path, a device and region), from <see cref="IoMapOptions.Description"/> as given by
    /// whoever opened it; shared by its windows. Null when none was given.
    /// </summary>
    /// <example>
    /// <code>
    /// using IoSysMap map = MappedFile.Open("/dev/shm/ring"); // map.Description == "/dev/shm/ring"
    /// </code>
    /// </example>
    public string? Description => _shared?.Options.Description;

    // The target named by this map's access errors: the description, and a window's start within the owning map.
    internal string? TargetName => Description is not { } description ? null
        : _regionOffset == 0 ? description
        : $"{description} (window at {Hex(_regionOffset)})";

    /// <summary>Whether the map's memory is RAM or device memory.</summary>
    public IoSpace Space => _shared?.Space ?? IoSpace.SystemMemory;

    /// <summary>Whether the map is in I/O memory (the kernel's <c>is_iomem</c>).</summary>
    public bool IsIoMem => Space == IoSpace.IoMemory;

    /// <summary>Whether every write is refused.</summary>
    public bool IsReadOnly => _shared?.Options.ReadOnly ?? false;

    /// <summary>Whether this is the null map (the kernel's <c>iosys_map_is_null</c>).</summary>
    public bool IsNull => _shared is null;

    /// <summary>Whether this map points to memory (the kernel's <c>iosys_map_is_set</c>).</summary>
    public bool IsSet => _shared is not null;

    /// <summary>Whether this map, or the map that owns its memory, was disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Whether unaligned typed accesses are allowed (system memory only).</summary>
    public bool AllowsUnaligned => _shared?.Options.AllowUnaligned ?? false;

    /// <summary>
    /// The absolute address where the map starts, for diagnostics and equality; <see cref="IoAddress.Null"/> for
    /// the null map and for maps over a backend (simulated devices, tracers). Never pass it as an offset: it is
    /// not an integer, and <c>address - map.Address</c> is the way back to an offset.
    /// </summary>
    public IoAddress Address => new((nuint)_state.Base);

    /// <summary>The backend this map's accesses go to, or null for memory reached through a pointer.</summary>
    public IIoBackend? Backend => _shared?.Backend;

    /// <summary>Offset of this map's start within its backend or memory region, in bytes (0 for an owning map).</summary>
    public long RegionOffset => _regionOffset;

    /// <summary>The widths accepted by every byte of <c>[offset, offset + length)</c>.</summary>
    /// <param name="offset">Start, in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes (at least 1).</param>
    /// <returns>The widths; <see cref="AccessWidths.None"/> if the range is not within the map.</returns>
    public AccessWidths WidthsAt([IoOffset(LengthParameter = nameof(length))] long offset, long length = 1) =>
        length > 0 && _state.InRange(offset, length) ? _state.Rules.Throughout(offset, length) : AccessWidths.None;

    // The alignment that matters is the address's: a window may start anywhere. Backends see region offsets.
    private long AlignmentBase => _state.AlignmentBase;

    /// <summary>
    /// Creates a map that owns <paramref name="memory"/>: disposing the map retires the memory.
    /// </summary>
    /// <param name="memory">The memory; not already owned by another map.</param>
    /// <param name="options">Space, widths, alignment and write access. Default: <see cref="IoMapOptions.SystemMemory"/>.</param>
    /// <returns>The map, of <see cref="IoMemoryRegion.Length"/> bytes.</returns>
    /// <exception cref="ArgumentException">The options are inconsistent (see <see cref="IoMapOptions"/>).</exception>
    public static IoSysMap Create(IoMemoryRegion memory, IoMapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        options ??= IoMapOptions.SystemMemory;
        options.Validate();
        var shared = new MapShared(memory, null, options);
        return new IoSysMap(shared, memory.Length, AccessRules.Build(memory.Length, options.Widths, options.WidthRules));
    }

    /// <summary>
    /// Creates a map of <paramref name="size"/> bytes whose every access goes to <paramref name="backend"/>, after
    /// the map's checks pass: simulated devices, tracers, recorders. The map does not own the backend.
    /// </summary>
    /// <param name="backend">The backend; receives offsets from the start of its region.</param>
    /// <param name="size">Size of the region in bytes.</param>
    /// <param name="options">Space, widths, alignment and write access. Default: <see cref="IoMapOptions.IoMemory"/>.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public static IoSysMap Create(IIoBackend backend, long size, IoMapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        options ??= IoMapOptions.IoMemory;
        options.Validate();
        var shared = new MapShared(null, backend, options);
        return new IoSysMap(shared, size, AccessRules.Build(size, options.Widths, options.WidthRules));
    }

    /// <summary>
    /// Allocates <paramref name="size"/> bytes of zeroed native memory that the map owns, aligned to
    /// <paramref name="alignment"/> bytes. The memory is freed once the map is disposed and unreachable.
    /// </summary>
    /// <param name="size">Size in bytes.</param>
    /// <param name="options">Default: <see cref="IoMapOptions.SystemMemory"/>. <see cref="IoSpace.IoMemory"/> gives
    /// device semantics over RAM, e.g. to test a driver's width discipline.</param>
    /// <param name="alignment">Alignment of the start in bytes: a power of two, at least 8. Default 4096.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative or <paramref name="alignment"/> is not a power of two of at least 8.</exception>
    public static IoSysMap Allocate(long size, IoMapOptions? options = null, int alignment = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (alignment < 8 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be a power of two of at least 8 bytes.");
        }

        options ??= IoMapOptions.SystemMemory;
        options.Validate();
        return Create(NativeMemoryRegion.Allocate(size, alignment), options);
    }

    /// <summary>
    /// Creates a map over caller-owned memory, pinned for as long as any map over it is reachable (even after
    /// <see cref="Dispose"/>, so that a racing access never touches memory the GC moved).
    /// </summary>
    /// <param name="memory">The memory.</param>
    /// <param name="options">Default: <see cref="IoMapOptions.SystemMemory"/>.</param>
    /// <returns>The map, of <c>memory.Length</c> bytes.</returns>
    /// <exception cref="ArgumentException">The memory cannot be pinned, or the options are inconsistent.</exception>
    public static IoSysMap FromMemory(Memory<byte> memory, IoMapOptions? options = null)
    {
        options ??= IoMapOptions.SystemMemory;
        options.Validate();
        return Create(PinnedMemoryRegion.Pin(memory), options);
    }

    /// <summary>Creates a map over a caller-owned array: see <see cref="FromMemory(Memory{byte}, IoMapOptions?)"/>.</summary>
    /// <param name="array">The array.</param>
    /// <param name="options">Default: <see cref="IoMapOptions.SystemMemory"/>.</param>
    /// <returns>The map, of <c>array.Length</c> bytes.</returns>
    public static IoSysMap FromArray(byte[] array, IoMapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        return FromMemory(array, options);
    }

    /// <summary>
    /// A window from <paramref name="offset"/> to the end of this map (the kernel's <c>IOSYS_MAP_INIT_OFFSET</c>
    /// and <c>iosys_map_incr</c>). The window shares this map's memory and can never reach outside it.
    /// </summary>
    /// <param name="offset">Start of the window, in bytes from the start of this map; at most <see cref="Size"/>.</param>
    /// <returns>A map of <c>Size - offset</c> bytes.</returns>
    /// <exception cref="IoAccessException"><paramref name="offset"/> is negative or beyond <see cref="Size"/>.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoSysMap Slice([IoOffset] long offset) => Slice(offset, (ulong)offset <= (ulong)Size ? Size - offset : 0);

    /// <summary>A window <c>[offset, offset + length)</c> of this map: see <see cref="Slice(long)"/>.</summary>
    /// <param name="offset">Start of the window, in bytes from the start of this map.</param>
    /// <param name="length">Length of the window in bytes.</param>
    /// <returns>A map of <paramref name="length"/> bytes.</returns>
    /// <exception cref="IoAccessException">The window does not lie within this map.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoSysMap Slice([IoOffset(LengthParameter = nameof(length))] long offset, long length)
    {
        ThrowIfRangeInvalid(offset, length, "window");
        return new IoSysMap(this, offset, length, _state.Rules.Slice(offset, length));
    }

    /// <summary>
    /// A known-size window of <c>TSize.Size</c> bytes at <paramref name="offset"/> (the Rust <c>IoKnownSize</c>):
    /// accesses at constant offsets compile down to the access itself, and <see cref="IoWidthRuleAttribute"/>s on
    /// <typeparamref name="TSize"/> are applied. Fails, like <c>IoSysMapRef::new()</c>, if this map is too small.
    /// </summary>
    /// <typeparam name="TSize">The size type.</typeparam>
    /// <param name="offset">Start of the window, in bytes from the start of this map.</param>
    /// <returns>The known-size window.</returns>
    /// <exception cref="IoAccessException">The map has fewer than <c>TSize.Size</c> bytes from <paramref name="offset"/>.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoSysMap<TSize> AsKnownSize<TSize>([IoOffset] long offset = 0)
        where TSize : struct, IIoKnownSize
    {
        // KnownSize<TSize>.Value: TSize.Size read once per type, so the window validated here is the window every
        // later access is checked against, whatever TSize.Size returns later (issue 16 row 8).
        long size = KnownSize<TSize>.Value;
        ThrowIfRangeInvalid(offset, size, $"known-size window ({typeof(TSize).Name})");
        AccessRules rules = _state.Rules.Slice(offset, size).Intersect(KnownSizeRules<TSize>.Rules);
        return new IoSysMap<TSize>(this, offset, rules);
    }

    /// <summary>
    /// Holds the map open for a batch of accesses: the lease copies the map's state once, so that its checked
    /// accesses run from registers, and keeps the memory from being retired until it ends. See
    /// <see cref="IoSysMapLease"/>; use it with <c>using</c>.
    /// </summary>
    /// <returns>The lease. Dispose it to end it.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoSysMapLease Lease()
    {
        AddLease();
        return new IoSysMapLease(this);
    }

    /// <summary>Takes a reference on the memory for a lease; throws if the map is disposed.</summary>
    private protected void AddLease()
    {
        ThrowIfDisposed();
        if (_shared is { } shared)
        {
            if (!shared.TryAddLease())
            {
                ThrowDisposed();
            }

            if (_disposed)
            {
                // A window disposed on its own between the first check and here.
                shared.EndLease();
                ThrowDisposed();
            }
        }
    }

    internal void EndLease() => _shared?.EndLease();

    /// <summary>
    /// Disposes the map. For a map that owns its memory, every map over that memory (windows included) then
    /// throws <see cref="ObjectDisposedException"/> and the memory is retired (a device is released at once, or,
    /// if leases are open, when the last one ends: see <see cref="Lease"/>). For a window, only the window is
    /// affected. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (_shared is null)
        {
            return;
        }

        if (_ownsMemory)
        {
            _shared.DisposeAll();
        }
        else
        {
            Invalidate();
            _shared.Unregister(_registration);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Whether both maps start at the same place in the same space (the kernel's <c>iosys_map_is_equal</c>):
    /// maps in different spaces are never equal, even at the same address; sizes are not compared.
    /// </summary>
    /// <param name="other">The other map.</param>
    /// <returns>True if equal.</returns>
    public bool IsEqual(IoSysMap? other)
    {
        if (other is null)
        {
            return false;
        }

        if (IsNull || other.IsNull)
        {
            return IsNull && other.IsNull;
        }

        if (Space != other.Space)
        {
            return false;
        }

        return Backend is not null || other.Backend is not null
            ? ReferenceEquals(Backend, other.Backend) && _regionOffset == other._regionOffset
            : _state.Base == other._state.Base;
    }

    /// <inheritdoc cref="IsEqual(IoSysMap?)"/>
    public bool Equals(IoSysMap? other) => IsEqual(other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IoSysMap other && IsEqual(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Backend is { } backend
        ? HashCode.Combine(Space, RuntimeHelpers.GetHashCode(backend), _regionOffset)
        : HashCode.Combine(Space, _state.Base);

    /// <summary>Describes the map, e.g. <c>IoSysMap(I/O memory, 0x100000 bytes at 0x7f3a5c000000)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        if (IsNull)
        {
            return "IoSysMap(null)";
        }

        string space = IsIoMem ? "I/O memory" : "system memory";
        string where = Backend is { } backend ? $"{backend.GetType().Name} + {Hex(_regionOffset)}" : Address.ToString();
        string state = _disposed ? ", disposed" : IsReadOnly ? ", read-only" : "";
        return $"IoSysMap({space}, {Hex(Size)} bytes at {where}{state})";
    }

    internal static string Hex(long value) => AccessErrors.Hex(value);

    internal void Invalidate()
    {
        // Flag first, then close the fast path: a thread that still sees open slots reaches memory that stays
        // valid until the region is released (see IoMemoryRegion), and the slow path sees the flag.
        _disposed = true;
        _state.Close();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposed() => AccessErrors.ThrowDisposed(ToString());

    private void ThrowIfRangeInvalid(long offset, long length, string what)
    {
        ThrowIfDisposed();
        if (!_state.InRange(offset, length))
        {
            AccessErrors.Throw(AccessErrors.Range(this, offset, length, what));
        }
    }

    private static class KnownSizeRules<TSize>
        where TSize : struct, IIoKnownSize
    {
        public static readonly AccessRules Rules = AccessRules.Build(
            KnownSize<TSize>.Value,
            AccessWidths.All,
            typeof(TSize).GetCustomAttributes(typeof(IoWidthRuleAttribute), inherit: false)
                .Cast<IoWidthRuleAttribute>()
                .Select(a => a.Rule));
    }

    /// <summary>What every map over the same memory shares: the memory or backend, the options, the live maps.</summary>
    private sealed class MapShared(IoMemoryRegion? memory, IIoBackend? backend, IoMapOptions options)
    {
        // The live maps, each by its own WeakReference (reference equality), so that a window disposed on its own
        // unregisters in O(1) (issue 16 row 12). Collected maps are swept when the set doubles: amortized O(1).
        private readonly HashSet<WeakReference<IoSysMap>> _maps = new(ReferenceEqualityComparer.Instance);
        private int _sweepAt = 16;
        private bool _disposed;

        // Open leases times 2, plus 1 once DisposeAll ran. The memory is retired when this reaches exactly 1:
        // disposed, with no lease left. A lease can only be added while the low bit is clear.
        private long _leaseState;

        public IoMemoryRegion? Memory { get; } = memory;

        public IIoBackend? Backend { get; } = backend;

        public IoMapOptions Options { get; } = options;

        public IoSpace Space => Options.Space;

        public AccessFlags Flags { get; } =
            (options.Space == IoSpace.IoMemory ? AccessFlags.IoMemory : 0)
            | (options.ReadOnly ? AccessFlags.ReadOnly : 0)
            | (options.AllowUnaligned ? AccessFlags.AllowUnaligned : 0);

        public void Register(IoSysMap map)
        {
            var weak = new WeakReference<IoSysMap>(map);
            lock (_maps)
            {
                if (_disposed)
                {
                    map.ThrowDisposed();
                }

                if (_maps.Count >= _sweepAt)
                {
                    _maps.RemoveWhere(static w => !w.TryGetTarget(out _));
                    _sweepAt = Math.Max(16, _maps.Count * 2);
                }

                _maps.Add(weak);
                map._registration = weak;
            }
        }

        public void Unregister(WeakReference<IoSysMap>? registration)
        {
            if (registration is null)
            {
                return;
            }

            lock (_maps)
            {
                _maps.Remove(registration);
            }
        }

        public void DisposeAll()
        {
            lock (_maps)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                foreach (WeakReference<IoSysMap> weak in _maps)
                {
                    if (weak.TryGetTarget(out IoSysMap? map))
                    {
                        map.Invalidate();
                    }
                }

                _maps.Clear();
            }

            // Every map now refuses access; release the device (the range stays valid, see IoMemoryRegion), now or,
            // if leases are open, when the last one ends.
            if (Interlocked.Or(ref _leaseState, 1) == 0)
            {
                Memory?.RetireOnce();
            }
        }

        public bool TryAddLease()
        {
            long state = Volatile.Read(ref _leaseState);
            while ((state & 1) == 0)
            {
                long seen = Interlocked.CompareExchange(ref _leaseState, state + 2, state);
                if (seen == state)
                {
                    return true;
                }

                state = seen;
            }

            return false;
        }

        public void EndLease()
        {
            if (Interlocked.Add(ref _leaseState, -2) == 1)
            {
                Memory?.RetireOnce();
            }
        }
    }
}
