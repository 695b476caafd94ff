using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace IoSys.Benchmarks;

// Design probes for the indexed view (docs/benchmarks.md, "Why the view misses 1.05x Span on x86-64"): not IoSys API.
// Each is the smallest view that is still memory-safe (it keeps the map reachable across each access, as IoArrayView
// does), with an element count only known at run time, and differs from the other in one thing: what happens when the
// index is not on the fast path. Measured beside Span<uint> and IoArrayView<uint> in RuntimeOffsetBenchmarks.

/// <summary>A view whose slow path only throws: what a view restricted to mapped memory (no simulated device, no trace) would cost.</summary>
internal readonly unsafe ref struct ThrowingSlowPathProbe
{
    private readonly uint* _base;
    private readonly uint _count;
    private readonly IoSysMap _map;

    public ThrowingSlowPathProbe(IoSysMap map, uint count)
    {
        // SAFETY (for the indexer): the benchmark's map is 4 KiB of 4-byte-aligned system memory and count <= 1024.
        _base = (uint*)map.Address.ToUIntPtr();
        _count = count;
        _map = map;
    }

    public uint this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= _count)
            {
                Throw(index);
            }

            // SAFETY: index < count (above) and the constructor's bound.
            uint value = Volatile.Read(ref _base[(uint)index]);
            GC.KeepAlive(_map);
            return value;
        }
    }

    [DoesNotReturn]
    private static void Throw(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, "Outside the view.");
}

/// <summary>The same view with a slow path that returns a value (a simulated device's read): IoArrayView's shape with its fewest fields.</summary>
internal readonly unsafe ref struct ReturningSlowPathProbe
{
    private readonly uint* _base;
    private readonly uint _fast;
    private readonly IoSysMap _map;

    public ReturningSlowPathProbe(IoSysMap map, uint count)
    {
        // SAFETY (for the indexer): as ThrowingSlowPathProbe's.
        _base = (uint*)map.Address.ToUIntPtr();
        _fast = count;
        _map = map;
    }

    public uint this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index < _fast)
            {
                // SAFETY: index < count and the constructor's bound.
                uint value = Volatile.Read(ref _base[(uint)index]);
                GC.KeepAlive(_map);
                return value;
            }

            return Slow(_map, index);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint Slow(IoSysMap map, int index) => map.Read32((long)index * sizeof(uint));
}
