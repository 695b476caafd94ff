using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace IoSys.Benchmarks;

// Targets (issue 2):
//  - 32-bit read/write at a CONSTANT offset on a known-size map: within 1.05x of a raw volatile pointer access.
//  - 32-bit read/write at a RUN-TIME offset on a plain map: within 1.25x of a raw volatile pointer access.
//  - no allocation per access.
// Each invocation makes 16 accesses, repeated 16 times (OperationsPerInvoke = 256), so the tables report the
// time of ONE access. Both
// sides touch the same 4 KiB of native memory at the same offsets, read their pointer/map from a field, and
// consume every value (reads are summed and returned; writes are volatile stores, which cannot be dropped).
// The 16 accesses are written out in each benchmark on purpose, not shared through a helper: moved into an
// [AggressiveInlining] helper, the JIT's inlining budget for the benchmark method ran out before the 16 inner
// Read32 calls, and the plain-map constant-offset read measured 5.2x raw instead of 1.2x (paired run, 2026-11-30).
// The *_Lease_* benchmarks take one lease per invocation (two atomic operations, counted) and make the 256 accesses
// through it. Raw_LocalPointer_* hold the pointer in a local (a register), a stricter baseline than the field;
// Span_Indexed_* show .NET's own checked access (a bounds check, no alignment check) for scale.

/// <summary>Offsets shared by both benchmark classes: 16 aligned offsets spread over the 4 KiB page.</summary>
internal static class Offsets
{
    public const int Count = 16;

    // The 16 accesses are repeated so that one invocation makes 256 accesses (~100 ns or more): the per-call cost
    // and BenchmarkDotNet's overhead subtraction are then small against the work measured.
    public const int Repeat = 16;
    public const int PerInvoke = Count * Repeat;

    // k * 0x100 + k * 4: a different cache line and a different position in it for each access.
    public const long O0 = 0x000, O1 = 0x104, O2 = 0x208, O3 = 0x30C, O4 = 0x410, O5 = 0x514, O6 = 0x618, O7 = 0x71C;
    public const long O8 = 0x820, O9 = 0x924, O10 = 0xA28, O11 = 0xB2C, O12 = 0xC30, O13 = 0xD34, O14 = 0xE38, O15 = 0xF3C;

    public static long[] AsArray() => [O0, O1, O2, O3, O4, O5, O6, O7, O8, O9, O10, O11, O12, O13, O14, O15];

    /// <summary>The 16 offsets, <see cref="Repeat"/> times over (256 entries), for the run-time offset loops.</summary>
    public static long[] Repeated() => Enumerable.Repeat(AsArray(), Repeat).SelectMany(a => a).ToArray();
}

/// <summary>
/// 32-bit accesses at 16 constant offsets: IoSys on a known-size map (<c>AsKnownSize&lt;Size4K&gt;()</c>) vs
/// <c>Volatile.Read/Write</c> through a raw pointer to the same memory, directly and through a known-size lease.
/// Also, for information, a plain map at the same constant offsets and the raw pointer held in a local.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class ConstantOffsetBenchmarks
{
    private IoSysMap _owner = null!;
    private IoSysMap<Size4K> _known = null!;
    private byte* _raw;
    private uint _value;

    [GlobalSetup]
    public void Setup()
    {
        _owner = IoSysMap.Allocate(4096);
        _known = _owner.AsKnownSize<Size4K>();
        // SAFETY: _raw points at the map's own 4 KiB of native memory, live until GlobalCleanup disposes it; every
        // raw access below is at one of Offsets' aligned offsets, at most 0xF3C, so 4 bytes stay inside.
        _raw = (byte*)_owner.Address.ToUIntPtr();
        foreach (long o in Offsets.AsArray())
        {
            _owner.Write32(o, (uint)o);
        }

        _value = 0x5A5A_0001;
    }

    [GlobalCleanup]
    public void Cleanup() => _owner.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Raw_VolatileRead()
    {
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O0));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O1));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O2));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O3));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O4));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O5));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O6));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O7));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O8));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O9));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O10));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O11));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O12));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O13));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O14));
            s += Volatile.Read(ref *(uint*)(_raw + Offsets.O15));
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Raw_LocalPointer_VolatileRead()
    {
        byte* p = _raw;
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += Volatile.Read(ref *(uint*)(p + Offsets.O0));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O1));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O2));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O3));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O4));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O5));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O6));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O7));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O8));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O9));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O10));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O11));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O12));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O13));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O14));
            s += Volatile.Read(ref *(uint*)(p + Offsets.O15));
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_KnownSize_Read32()
    {
        IoSysMap<Size4K> m = _known;
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += m.Read32(Offsets.O0);
            s += m.Read32(Offsets.O1);
            s += m.Read32(Offsets.O2);
            s += m.Read32(Offsets.O3);
            s += m.Read32(Offsets.O4);
            s += m.Read32(Offsets.O5);
            s += m.Read32(Offsets.O6);
            s += m.Read32(Offsets.O7);
            s += m.Read32(Offsets.O8);
            s += m.Read32(Offsets.O9);
            s += m.Read32(Offsets.O10);
            s += m.Read32(Offsets.O11);
            s += m.Read32(Offsets.O12);
            s += m.Read32(Offsets.O13);
            s += m.Read32(Offsets.O14);
            s += m.Read32(Offsets.O15);
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_KnownSize_Lease_Read32()
    {
        // One lease per invocation: its cost (two atomic operations) is counted, over 256 accesses.
        using IoSysMapLease<Size4K> m = _known.Lease();
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += m.Read32(Offsets.O0);
            s += m.Read32(Offsets.O1);
            s += m.Read32(Offsets.O2);
            s += m.Read32(Offsets.O3);
            s += m.Read32(Offsets.O4);
            s += m.Read32(Offsets.O5);
            s += m.Read32(Offsets.O6);
            s += m.Read32(Offsets.O7);
            s += m.Read32(Offsets.O8);
            s += m.Read32(Offsets.O9);
            s += m.Read32(Offsets.O10);
            s += m.Read32(Offsets.O11);
            s += m.Read32(Offsets.O12);
            s += m.Read32(Offsets.O13);
            s += m.Read32(Offsets.O14);
            s += m.Read32(Offsets.O15);
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_PlainMap_Read32()
    {
        IoSysMap m = _owner;
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += m.Read32(Offsets.O0);
            s += m.Read32(Offsets.O1);
            s += m.Read32(Offsets.O2);
            s += m.Read32(Offsets.O3);
            s += m.Read32(Offsets.O4);
            s += m.Read32(Offsets.O5);
            s += m.Read32(Offsets.O6);
            s += m.Read32(Offsets.O7);
            s += m.Read32(Offsets.O8);
            s += m.Read32(Offsets.O9);
            s += m.Read32(Offsets.O10);
            s += m.Read32(Offsets.O11);
            s += m.Read32(Offsets.O12);
            s += m.Read32(Offsets.O13);
            s += m.Read32(Offsets.O14);
            s += m.Read32(Offsets.O15);
        }

        return s;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Raw_VolatileWrite()
    {
        uint v = _value;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            Volatile.Write(ref *(uint*)(_raw + Offsets.O0), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O1), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O2), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O3), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O4), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O5), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O6), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O7), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O8), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O9), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O10), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O11), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O12), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O13), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O14), v);
            Volatile.Write(ref *(uint*)(_raw + Offsets.O15), v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Raw_LocalPointer_VolatileWrite()
    {
        byte* p = _raw;
        uint v = _value;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            Volatile.Write(ref *(uint*)(p + Offsets.O0), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O1), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O2), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O3), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O4), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O5), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O6), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O7), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O8), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O9), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O10), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O11), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O12), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O13), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O14), v);
            Volatile.Write(ref *(uint*)(p + Offsets.O15), v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_KnownSize_Write32()
    {
        IoSysMap<Size4K> m = _known;
        uint v = _value;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            m.Write32(Offsets.O0, v);
            m.Write32(Offsets.O1, v);
            m.Write32(Offsets.O2, v);
            m.Write32(Offsets.O3, v);
            m.Write32(Offsets.O4, v);
            m.Write32(Offsets.O5, v);
            m.Write32(Offsets.O6, v);
            m.Write32(Offsets.O7, v);
            m.Write32(Offsets.O8, v);
            m.Write32(Offsets.O9, v);
            m.Write32(Offsets.O10, v);
            m.Write32(Offsets.O11, v);
            m.Write32(Offsets.O12, v);
            m.Write32(Offsets.O13, v);
            m.Write32(Offsets.O14, v);
            m.Write32(Offsets.O15, v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_KnownSize_Lease_Write32()
    {
        using IoSysMapLease<Size4K> m = _known.Lease();
        uint v = _value;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            m.Write32(Offsets.O0, v);
            m.Write32(Offsets.O1, v);
            m.Write32(Offsets.O2, v);
            m.Write32(Offsets.O3, v);
            m.Write32(Offsets.O4, v);
            m.Write32(Offsets.O5, v);
            m.Write32(Offsets.O6, v);
            m.Write32(Offsets.O7, v);
            m.Write32(Offsets.O8, v);
            m.Write32(Offsets.O9, v);
            m.Write32(Offsets.O10, v);
            m.Write32(Offsets.O11, v);
            m.Write32(Offsets.O12, v);
            m.Write32(Offsets.O13, v);
            m.Write32(Offsets.O14, v);
            m.Write32(Offsets.O15, v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_PlainMap_Write32()
    {
        IoSysMap m = _owner;
        uint v = _value;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            m.Write32(Offsets.O0, v);
            m.Write32(Offsets.O1, v);
            m.Write32(Offsets.O2, v);
            m.Write32(Offsets.O3, v);
            m.Write32(Offsets.O4, v);
            m.Write32(Offsets.O5, v);
            m.Write32(Offsets.O6, v);
            m.Write32(Offsets.O7, v);
            m.Write32(Offsets.O8, v);
            m.Write32(Offsets.O9, v);
            m.Write32(Offsets.O10, v);
            m.Write32(Offsets.O11, v);
            m.Write32(Offsets.O12, v);
            m.Write32(Offsets.O13, v);
            m.Write32(Offsets.O14, v);
            m.Write32(Offsets.O15, v);
        }
    }
}

/// <summary>
/// 32-bit accesses at 16 run-time offsets (read from an array, so the JIT cannot fold them): IoSys on a plain
/// map, directly and through a lease, vs <c>Volatile.Read/Write</c> through a raw pointer, same memory, same
/// offsets, same loop; and a <c>Span&lt;uint&gt;</c> index for scale.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class RuntimeOffsetBenchmarks
{
    private IoSysMap _map = null!;
    private byte* _raw;
    private long[] _offsets = null!;
    private uint _value;

    [GlobalSetup]
    public void Setup()
    {
        _map = IoSysMap.Allocate(4096);
        // SAFETY: _raw points at the map's 4 KiB of native memory, live until GlobalCleanup disposes it; every
        // raw access below is at one of Offsets' aligned offsets, at most 0xF3C, so 4 bytes stay inside.
        _raw = (byte*)_map.Address.ToUIntPtr();
        _offsets = Offsets.Repeated();
        foreach (long o in _offsets)
        {
            _map.Write32(o, (uint)o);
        }

        _value = 0x5A5A_0001;
    }

    [GlobalCleanup]
    public void Cleanup() => _map.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Raw_VolatileRead()
    {
        long[] offsets = _offsets;
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += Volatile.Read(ref *(uint*)(_raw + offsets[i]));
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Span_Indexed_Read32()
    {
        // For scale: .NET's own checked access, a Span<uint> index (bounds check only, plain load).
        long[] offsets = _offsets;
        var span = new Span<uint>(_raw, 1024);
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += span[(int)(offsets[i] >> 2)];
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_Read32()
    {
        long[] offsets = _offsets;
        IoSysMap m = _map;
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += m.Read32(offsets[i]);
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_Lease_Read32()
    {
        long[] offsets = _offsets;
        using IoSysMapLease m = _map.Lease();
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += m.Read32(offsets[i]);
        }

        return s;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Raw_VolatileWrite()
    {
        long[] offsets = _offsets;
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            Volatile.Write(ref *(uint*)(_raw + offsets[i]), v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Span_Indexed_Write32()
    {
        long[] offsets = _offsets;
        var span = new Span<uint>(_raw, 1024);
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            span[(int)(offsets[i] >> 2)] = v;
        }
    }

    // The typed view (issue 14): map.AsArray<uint>(0, 1024) made once per invocation (its checks counted), then one
    // unsigned compare per element, beside Span<uint> indexing of the same memory. Ordered indexer (on x86-64 and on
    // system memory the same code as the relaxed form).
    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint IoSys_AsArray_Read32()
    {
        long[] offsets = _offsets;
        IoArrayView<uint> view = _map.AsArray<uint>(0, 1024);
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += view[(int)(offsets[i] >> 2)];
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_AsArray_Write32()
    {
        long[] offsets = _offsets;
        IoArrayView<uint> view = _map.AsArray<uint>(0, 1024);
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            view[(int)(offsets[i] >> 2)] = v;
        }
    }

    // Design probes (ViewShapeProbes.cs): the same loop over two minimal views, one whose slow path throws and one
    // whose slow path returns. The element count is read at run time, as a view's is.
    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Probe_ThrowingSlowPath_Read32()
    {
        long[] offsets = _offsets;
        var view = new ThrowingSlowPathProbe(_map, (uint)(_map.Size >> 2));
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += view[(int)(offsets[i] >> 2)];
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Probe_ReturningSlowPath_Read32()
    {
        long[] offsets = _offsets;
        var view = new ReturningSlowPathProbe(_map, (uint)(_map.Size >> 2));
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += view[(int)(offsets[i] >> 2)];
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_Write32()
    {
        long[] offsets = _offsets;
        IoSysMap m = _map;
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            m.Write32(offsets[i], v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void IoSys_Lease_Write32()
    {
        long[] offsets = _offsets;
        using IoSysMapLease m = _map.Lease();
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            m.Write32(offsets[i], v);
        }
    }
}
