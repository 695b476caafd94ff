using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace IoSys.Benchmarks;

/// <summary>
/// 1 MiB copies into the memory a <c>VfioDmaBuffer</c> uses, without VFIO: a shared anonymous mapping, populated,
/// 4 KiB pages (<c>mmap(MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE)</c>, as <c>DmaMemoryRegion</c> maps it), under a
/// system-memory <see cref="IoSysMap"/> (as <c>VfioDmaAllocator</c> creates it). Baseline: <c>Span.CopyTo</c> into
/// the same memory. <c>Span_CopyTo_ManagedArray</c> is what the VFIO guest's first copy measurement compared
/// against: a copy into a different, managed destination.
/// </summary>
public unsafe partial class DmaBufferCopyBenchmarks
{
    private const int Size = 1 << 20;
    private SharedAnonymousRegion _region = null!;
    private IoSysMap _map = null!;
    private byte[] _source = null!;
    private byte[] _managed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _region = SharedAnonymousRegion.Map(Size);
        _map = IoSysMap.Create(_region, IoMapOptions.SystemMemory);
        _source = GC.AllocateUninitializedArray<byte>(Size, pinned: true);
        _managed = GC.AllocateUninitializedArray<byte>(Size, pinned: true);
        Random.Shared.NextBytes(_source);
        _map.WriteBytes(0, _source);
        _source.AsSpan().CopyTo(_managed);
    }

    [GlobalCleanup]
    public void Cleanup() => _map.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write 1 MiB")]
    // SAFETY: the region is Size bytes, mapped until GlobalCleanup disposes the map.
    public void Span_CopyTo_SameMemory() => new ReadOnlySpan<byte>(_source).CopyTo(new Span<byte>((void*)_region.Address, Size));

    [Benchmark]
    [BenchmarkCategory("Write 1 MiB")]
    public void IoSys_WriteBytes() => _map.WriteBytes(0, _source);

    [Benchmark]
    [BenchmarkCategory("Write 1 MiB")]
    public void Span_CopyTo_ManagedArray() => new ReadOnlySpan<byte>(_source).CopyTo(_managed);

    /// <summary>A populated shared anonymous mapping, unmapped when the map releases it.</summary>
    private sealed partial class SharedAnonymousRegion : IoMemoryRegion
    {
        private const int ProtReadWrite = 0x1 | 0x2, MapShared = 0x01, MapAnonymous = 0x20, MapPopulate = 0x8000;

        private SharedAnonymousRegion(nint address, long length)
            : base(address, length)
        {
        }

        public static SharedAnonymousRegion Map(int size)
        {
            nint address = Mmap(0, (nuint)size, ProtReadWrite, MapShared | MapAnonymous | MapPopulate, -1, 0);
            if (address == -1)
            {
                throw new InvalidOperationException($"mmap of {size} shared anonymous bytes failed: errno {Marshal.GetLastPInvokeError()}.");
            }

            return new SharedAnonymousRegion(address, size);
        }

        protected override void Retire()
        {
        }

        protected override void Release() => _ = Munmap(Address, (nuint)Length);

        [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

        [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static partial int Munmap(nint address, nuint length);
    }
}
