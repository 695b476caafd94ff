using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace IoSys.Benchmarks;

// Issue 18: ordered (readl/writel) vs relaxed accesses, and the barriers. On x86-64 an ordered access must cost what a
// relaxed one costs (the same `mov`; the disassembly check in tests/Hardware proves there is no fence), and the relaxed
// access what the access-core targets allow (RuntimeOffsetBenchmarks). On arm64 the ordered forms add a call into the
// native stub and a dmb; their cost there is reported by the guest scenario ordering.cost-report (TCG: indicative).

/// <summary>
/// 32-bit reads and writes at run-time offsets on a plain map: <c>Read32Relaxed</c>/<c>Write32Relaxed</c> (baseline)
/// vs the ordered <c>Read32</c>/<c>Write32</c>, 256 accesses per invocation (the table reports one access).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OrderedVsRelaxedBenchmarks
{
    private IoSysMap _map = null!;
    private long[] _offsets = null!;
    private uint _value;

    [GlobalSetup]
    public void Setup()
    {
        _map = IoSysMap.Allocate(4096, IoMapOptions.IoMemory);
        _offsets = Offsets.Repeated();
        _value = 0x5A5A_0001;
    }

    [GlobalCleanup]
    public void Cleanup() => _map.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Read32Relaxed()
    {
        long[] offsets = _offsets;
        IoSysMap map = _map;
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += map.Read32Relaxed(offsets[i]);
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Read32")]
    public uint Read32Ordered()
    {
        long[] offsets = _offsets;
        IoSysMap map = _map;
        uint s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s += map.Read32(offsets[i]);
        }

        return s;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Write32Relaxed()
    {
        long[] offsets = _offsets;
        IoSysMap map = _map;
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            map.Write32Relaxed(offsets[i], v);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    [BenchmarkCategory("Write32")]
    public void Write32Ordered()
    {
        long[] offsets = _offsets;
        IoSysMap map = _map;
        uint v = _value;
        for (int i = 0; i < offsets.Length; i++)
        {
            map.Write32(offsets[i], v);
        }
    }
}

/// <summary>
/// The cost of each barrier on this machine, 16 per invocation, against an empty loop of the same shape (baseline):
/// on x86-64 <c>DmaWriteBarrier</c>/<c>DmaReadBarrier</c> are compiler ordering only and should cost nothing;
/// <c>WriteBarrier</c>/<c>ReadBarrier</c>/<c>FullBarrier</c> are <c>sfence</c>/<c>lfence</c>/<c>mfence</c>.
/// </summary>
public class BarrierCostBenchmarks
{
    private const int PerInvoke = 16;
#pragma warning disable IDE0044 // Volatile.Read takes the field by ref: it cannot be readonly.
    private int _sink = 1;
#pragma warning restore IDE0044

    [Benchmark(Baseline = true, OperationsPerInvoke = PerInvoke)]
    public int None()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public int DmaWriteBarrier()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
            IoBarriers.DmaWriteBarrier();
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public int DmaReadBarrier()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
            IoBarriers.DmaReadBarrier();
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public int WriteBarrier()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
            IoBarriers.WriteBarrier();
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public int ReadBarrier()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
            IoBarriers.ReadBarrier();
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public int FullBarrier()
    {
        int s = 0;
        for (int i = 0; i < PerInvoke; i++)
        {
            s += Volatile.Read(ref _sink);
            IoBarriers.FullBarrier();
        }

        return s;
    }
}
