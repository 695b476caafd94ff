using System.IO.MemoryMappedFiles;
using BenchmarkDotNet.Attributes;
#if IOSYS_LINUX
using IoSys.Linux;
#endif

namespace IoSys.Benchmarks;

/// <summary>
/// The .NET peer: 16 x 16 32-bit reads at constant offsets of a 4 KiB file in /dev/shm through
/// <c>MemoryMappedViewAccessor.ReadUInt32</c>, vs IoSys <c>Read32</c> on a map over the SAME mapping (the view's
/// pointer wrapped in an <see cref="IoMemoryRegion"/>), as a plain map and as a known-size map. Target (issue 2):
/// IoSys at least 20x faster, i.e. the accessor's ratio to the IoSys baseline is at least 20. With IoSys.Linux,
/// also IoSys over its own mapping of the same file (<c>MappedFile.Open</c>).
/// </summary>
public unsafe class MemoryMappedFileBenchmarks
{
    private string _path = null!;
    private MemoryMappedFile _file = null!;
    private MemoryMappedViewAccessor _accessor = null!;
    private IoSysMap _map = null!;
    private IoSysMap<Size4K> _known = null!;
#if IOSYS_LINUX
    private IoSysMap _mappedFile = null!;
#endif

    [GlobalSetup]
    public void Setup()
    {
        string dir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _path = Path.Combine(dir, $"iosys-bench-{Environment.ProcessId}.bin");
        using (var stream = new FileStream(_path, FileMode.Create, FileAccess.ReadWrite))
        {
            stream.SetLength(4096);
        }

        _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 4096, MemoryMappedFileAccess.ReadWrite);
        _accessor = _file.CreateViewAccessor(0, 4096, MemoryMappedFileAccess.ReadWrite);
        // SAFETY: AcquirePointer pins the 4 KiB view until GlobalCleanup calls ReleasePointer (after disposing the
        // maps over it); the IoSysMap borrows exactly those 4096 bytes.
        byte* p = null;
        _accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        p += _accessor.PointerOffset;
        _map = IoSysMap.Create(new BorrowedRegion((nint)p, 4096));
        _known = _map.AsKnownSize<Size4K>();
        foreach (long o in Offsets.AsArray())
        {
            _accessor.Write(o, (uint)o);
        }

        if (_map.Read32(Offsets.O15) != (uint)Offsets.O15)
        {
            throw new InvalidOperationException("The IoSys map does not see the accessor's view.");
        }
#if IOSYS_LINUX

        _mappedFile = MappedFile.Open(_path);
        if (_mappedFile.Read32(Offsets.O15) != (uint)Offsets.O15)
        {
            throw new InvalidOperationException("The MappedFile map does not see the file's contents.");
        }
#endif
    }

    [GlobalCleanup]
    public void Cleanup()
    {
#if IOSYS_LINUX
        _mappedFile.Dispose();
#endif
        _map.Dispose();
        _accessor.SafeMemoryMappedViewHandle.ReleasePointer();
        _accessor.Dispose();
        _file.Dispose();
        File.Delete(_path);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets.PerInvoke)]
    public uint IoSys_PlainMap_Read32()
    {
        IoSysMap m = _map;
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
    public uint IoSys_Lease_Read32()
    {
        using IoSysMapLease m = _map.Lease();
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
    public uint IoSys_KnownSize_Lease_Read32()
    {
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

#if IOSYS_LINUX
    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    public uint IoSys_MappedFileOpen_Read32()
    {
        IoSysMap m = _mappedFile;
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

#endif
    [Benchmark(OperationsPerInvoke = Offsets.PerInvoke)]
    public uint MemoryMappedViewAccessor_ReadUInt32()
    {
        MemoryMappedViewAccessor a = _accessor;
        uint s = 0;
        for (int r = 0; r < Offsets.Repeat; r++)
        {
            s += a.ReadUInt32(Offsets.O0);
            s += a.ReadUInt32(Offsets.O1);
            s += a.ReadUInt32(Offsets.O2);
            s += a.ReadUInt32(Offsets.O3);
            s += a.ReadUInt32(Offsets.O4);
            s += a.ReadUInt32(Offsets.O5);
            s += a.ReadUInt32(Offsets.O6);
            s += a.ReadUInt32(Offsets.O7);
            s += a.ReadUInt32(Offsets.O8);
            s += a.ReadUInt32(Offsets.O9);
            s += a.ReadUInt32(Offsets.O10);
            s += a.ReadUInt32(Offsets.O11);
            s += a.ReadUInt32(Offsets.O12);
            s += a.ReadUInt32(Offsets.O13);
            s += a.ReadUInt32(Offsets.O14);
            s += a.ReadUInt32(Offsets.O15);
        }

        return s;
    }

    /// <summary>The accessor's view, borrowed: the benchmark releases the view itself after disposing the map.</summary>
    private sealed class BorrowedRegion(nint address, long length) : IoMemoryRegion(address, length)
    {
        protected override void Retire()
        {
        }

        protected override void Release()
        {
        }
    }
}
