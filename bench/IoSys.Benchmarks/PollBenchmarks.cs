using BenchmarkDotNet.Attributes;

namespace IoSys.Benchmarks;

/// <summary>
/// For information (no target): the overhead of <c>Poll</c> when the condition already holds on the first read
/// (validation, a timestamp, one read, one delegate call) vs a bare checked <c>Read32</c> plus the same test
/// through the same delegate; 16 of each per invocation.
/// </summary>
public class PollBenchmarks
{
    private static readonly Func<uint, bool> IsReady = static v => (v & 1) != 0;

    private IoSysMap _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        _map = IoSysMap.Allocate(4096);
        _map.Write32(0x40, 1);
    }

    [GlobalCleanup]
    public void Cleanup() => _map.Dispose();

    private const int Count = 16;

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public uint Read32_ThenTest()
    {
        IoSysMap m = _map;
        uint s = 0;
        for (int i = 0; i < Count; i++)
        {
            uint v = m.Read32(0x40);
            s += IsReady(v) ? v : 0;
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public uint Poll_ReadyAtOnce()
    {
        IoSysMap m = _map;
        uint s = 0;
        for (int i = 0; i < Count; i++)
        {
            s += m.Poll(0x40, IsReady, TimeSpan.FromSeconds(1));
        }

        return s;
    }
}
