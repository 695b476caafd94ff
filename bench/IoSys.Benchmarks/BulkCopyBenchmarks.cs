using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace IoSys.Benchmarks;

/// <summary>
/// 1 MiB bulk copies on a system-memory map: <c>map.ReadBytes(0, span)</c> / <c>map.WriteBytes(0, span)</c> vs
/// <c>Span&lt;byte&gt;.CopyTo</c> between the same native memory and the same managed buffer. Target (issue 2):
/// IoSys throughput at least 0.95x that of <c>CopyTo</c>, i.e. a time ratio of at most 1/0.95 = 1.053.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class BulkCopyBenchmarks
{
    public const int Size = 1 << 20;

    private IoSysMap _map = null!;
    private byte* _raw;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _map = IoSysMap.Allocate(Size);
        // SAFETY: _raw points at the map's native memory, live until GlobalCleanup disposes it; the raw copies span
        // exactly the map's size.
        _raw = (byte*)_map.Address.ToUIntPtr();
        _buffer = GC.AllocateUninitializedArray<byte>(Size, pinned: true);
        Random.Shared.NextBytes(_buffer);
        _map.WriteBytes(0, _buffer);
    }

    [GlobalCleanup]
    public void Cleanup() => _map.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read 1 MiB")]
    public void Span_CopyTo_FromMemory() => new ReadOnlySpan<byte>(_raw, Size).CopyTo(_buffer);

    [Benchmark]
    [BenchmarkCategory("Read 1 MiB")]
    public void IoSys_ReadBytes() => _map.ReadBytes(0, _buffer);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write 1 MiB")]
    public void Span_CopyTo_ToMemory() => new ReadOnlySpan<byte>(_buffer).CopyTo(new Span<byte>(_raw, Size));

    [Benchmark]
    [BenchmarkCategory("Write 1 MiB")]
    public void IoSys_WriteBytes() => _map.WriteBytes(0, _buffer);
}

/// <summary>
/// For information (no target): the same 1 MiB copies on an I/O-memory map, which are chunked into aligned
/// single volatile accesses (8 bytes here, the widest accepted) instead of a vectorized copy, vs the
/// system-memory <c>ReadBytes</c>/<c>WriteBytes</c> over the same size.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class IoMemoryBulkBenchmarks
{
    private IoSysMap _system = null!;
    private IoSysMap _io = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = IoSysMap.Allocate(BulkCopyBenchmarks.Size);
        _io = IoSysMap.Allocate(BulkCopyBenchmarks.Size, IoMapOptions.IoMemory);
        _buffer = GC.AllocateUninitializedArray<byte>(BulkCopyBenchmarks.Size, pinned: true);
        Random.Shared.NextBytes(_buffer);
        _system.WriteBytes(0, _buffer);
        _io.WriteBytes(0, _buffer);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _system.Dispose();
        _io.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read 1 MiB")]
    public void SystemMemory_ReadBytes() => _system.ReadBytes(0, _buffer);

    [Benchmark]
    [BenchmarkCategory("Read 1 MiB")]
    public void IoMemory_ReadBytes() => _io.ReadBytes(0, _buffer);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write 1 MiB")]
    public void SystemMemory_WriteBytes() => _system.WriteBytes(0, _buffer);

    [Benchmark]
    [BenchmarkCategory("Write 1 MiB")]
    public void IoMemory_WriteBytes() => _io.WriteBytes(0, _buffer);
}
