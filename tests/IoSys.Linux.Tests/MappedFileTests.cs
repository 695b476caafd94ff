using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Tests;

public sealed class MappedFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + (i >> 8));
        }

        return bytes;
    }

    [Fact]
    public void Open_maps_the_whole_file_with_its_size_and_content()
    {
        byte[] data = Pattern(10_000); // not a multiple of the page size
        string path = _dir.Write("data.bin", data);

        using IoSysMap map = MappedFile.Open(path);

        Assert.Equal(10_000, map.Size);
        Assert.Equal(IoSpace.SystemMemory, map.Space);
        Assert.False(map.IsReadOnly);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4096)), map.Read32(4096));
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(9992)), map.Read64(9992));
        Assert.Equal(data[9999], map.Read8(9999));
        var all = new byte[10_000];
        map.ReadBytes(0, all);
        Assert.Equal(data, all);
        // The last page is mapped whole, but the map ends where the file does.
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read8(10_000));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
    }

    [Fact]
    public void Writes_through_the_map_are_in_the_file_after_dispose()
    {
        string path = _dir.Write("data.bin", new byte[8192]);
        using (IoSysMap map = MappedFile.Open(path))
        {
            map.Write32(0, 0xdeadbeef);
            map.Write64(4096, 0x0123456789abcdef);
            map.Write8(8191, 0x5a);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(0xdeadbeefu, BinaryPrimitives.ReadUInt32LittleEndian(file));
        Assert.Equal(0x0123456789abcdefUL, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(4096)));
        Assert.Equal(0x5a, file[8191]);
        Assert.Equal(8192, file.Length);
    }

    [Fact]
    public void Empty_file_is_refused_before_mapping_with_the_path()
    {
        string path = _dir.Write("empty.bin", []);
        IOException e = Assert.Throws<IOException>(() => MappedFile.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(path));
    }

    [Fact]
    public void Range_past_the_end_of_the_file_is_refused_before_mapping()
    {
        string path = _dir.Write("short.bin", new byte[5000]);

        ArgumentOutOfRangeException size = Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Size = 5001 }));
        Assert.Contains(path, size.Message, StringComparison.Ordinal);
        Assert.Contains("5000 bytes long", size.Message, StringComparison.Ordinal);

        ArgumentOutOfRangeException window = Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Offset = 4096, Size = 1000 }));
        Assert.Contains("past its end", window.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Offset = 5000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Offset = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Size = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Offset = 1, Size = long.MaxValue }));
        Assert.Equal(5000, new FileInfo(path).Length);
        Assert.Empty(ProcMaps.For(path));
    }

    [Fact]
    public void Offset_need_not_be_page_aligned_and_the_map_starts_exactly_there()
    {
        byte[] data = Pattern(3 * 4096);
        string path = _dir.Write("data.bin", data);

        using IoSysMap map = MappedFile.Open(path, new() { Offset = 5003, Size = 100 });

        Assert.Equal(100, map.Size);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(data[5003 + i], map.Read8(i));
        }

        ProcMaps.Entry mapping = Assert.Single(ProcMaps.For(path));
        Assert.Equal(4096UL, mapping.Offset); // the enclosing page of the file
        Assert.Equal(mapping.Start + (5003 - 4096), map.Address.ToUIntPtr());
        Assert.Throws<IoAccessException>(() => map.Read8(100));
    }

    [Fact]
    public void Read_only_map_refuses_every_write_without_faulting_and_maps_pages_read_only()
    {
        byte[] data = Pattern(4096);
        string path = _dir.Write("ro.bin", data);

        using IoSysMap map = MappedFile.Open(path, new() { ReadOnly = true });

        Assert.True(map.IsReadOnly);
        Assert.Equal(data[17], map.Read8(17));
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write8(0, 1)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write16(2, 1)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write32(4, 1)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write64(8, 1)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.WriteBytes(0, new byte[16])).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Fill(0, 16, 0xff)).Error);
        Assert.False(map.TryWrite32(0, 1));
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Slice(64).Write32(0, 1)).Error);

        Assert.StartsWith("r--", Assert.Single(ProcMaps.For(path)).Permissions, StringComparison.Ordinal);
        Assert.Equal(data, File.ReadAllBytes(path));
    }

    [Fact]
    public void Read_only_map_options_alone_also_map_the_pages_read_only()
    {
        string path = _dir.Write("ro.bin", new byte[4096]);
        using IoSysMap map = MappedFile.Open(path, new() { MapOptions = IoMapOptions.SystemMemory.AsReadOnly() });
        Assert.True(map.IsReadOnly);
        Assert.StartsWith("r--", Assert.Single(ProcMaps.For(path)).Permissions, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_write_map_is_mapped_shared_and_writable()
    {
        string path = _dir.Write("rw.bin", new byte[4096]);
        using IoSysMap map = MappedFile.Open(path);
        Assert.Equal("rw-s", Assert.Single(ProcMaps.For(path)).Permissions);
    }

    [Fact]
    public void After_dispose_every_access_throws_and_the_file_is_no_longer_mapped()
    {
        string path = _dir.Write("d.bin", Pattern(8192));
        IoSysMap map = MappedFile.Open(path);
        IoSysMap window = map.Slice(4096, 128);
        ulong start = map.Address.ToUIntPtr();
        ProcMaps.Entry before = Assert.Single(ProcMaps.For(path));
        Assert.Equal(start, before.Start);
        Assert.Equal(8192UL, before.End - before.Start);

        map.Dispose();

        Assert.True(map.IsDisposed);
        Assert.True(window.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => map.Read32(0));
        Assert.Throws<ObjectDisposedException>(() => map.Write8(0, 1));
        Assert.Throws<ObjectDisposedException>(() => map.TryRead64(0, out _));
        Assert.Throws<ObjectDisposedException>(() => map.ReadBytes(0, new byte[4]));
        Assert.Throws<ObjectDisposedException>(() => window.Read8(0));
        Assert.Throws<ObjectDisposedException>(() => map.Slice(0));
        Assert.Empty(ProcMaps.For(path));
        // The range stays reserved (anonymous, private) until the region is released, so a racing access is harmless.
        ProcMaps.Entry? after = ProcMaps.Covering(start);
        Assert.NotNull(after);
        Assert.Equal("rw-p", after.Value.Permissions);
        map.Dispose(); // idempotent
        GC.KeepAlive(window);
    }

    [Fact]
    public void Release_unmaps_exactly_the_mapped_range_once_nothing_references_it()
    {
        string path = _dir.Write("r.bin", new byte[3 * 4096]);
        (ulong start, ulong end) = MapAndDispose(path);

        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // Nothing in [start, end) is mapped now, unless the range was reused by someone else.
        ProcMaps.Entry? covering = ProcMaps.Covering(start) ?? ProcMaps.Covering(end - 1);
        Assert.True(covering is null || covering.Value.Start != start || covering.Value.End != end,
            $"The range {start:x}-{end:x} is still mapped: {covering}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ulong Start, ulong End) MapAndDispose(string path)
    {
        IoSysMap map = MappedFile.Open(path);
        ProcMaps.Entry entry = Assert.Single(ProcMaps.For(path));
        map.Dispose();
        return (entry.Start, entry.End);
    }

    [Fact]
    public void Create_makes_a_zeroed_file_of_the_size_asked_for()
    {
        string path = _dir.Combine("new.bin");
        using (IoSysMap map = MappedFile.Open(path, new() { Create = true, Size = 6000 }))
        {
            Assert.Equal(6000, map.Size);
            Assert.Equal(0UL, map.Read64(5992));
            map.Write16(10, 0xabcd);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(6000, file.Length);
        Assert.Equal(0xabcd, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(10)));
    }

    [Fact]
    public void Create_extends_a_shorter_file_and_keeps_its_content()
    {
        string path = _dir.Write("grow.bin", new byte[] { 1, 2, 3, 4 });
        using (IoSysMap map = MappedFile.Open(path, new() { Create = true, Offset = 4096, Size = 4096 }))
        {
            Assert.Equal(4096, map.Size);
            map.Write8(0, 9);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(8192, file.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0 }, file[..5]);
        Assert.Equal(9, file[4096]);
    }

    [Fact]
    public void Create_does_not_shrink_a_longer_file()
    {
        string path = _dir.Write("long.bin", new byte[8192]);
        using (IoSysMap map = MappedFile.Open(path, new() { Create = true, Size = 100 }))
        {
            Assert.Equal(100, map.Size);
        }

        Assert.Equal(8192, new FileInfo(path).Length);
    }

    [Fact]
    public void Contradictory_options_are_refused()
    {
        string path = _dir.Combine("x.bin");
        Assert.Throws<ArgumentException>(() => MappedFile.Open(path, new() { Create = true }));
        Assert.Throws<ArgumentException>(() => MappedFile.Open(path, new() { Create = true, Size = 10, ReadOnly = true }));
        Assert.Throws<ArgumentException>(() => MappedFile.Open(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Create = true, Size = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MappedFile.Open(path, new() { Create = true, Size = 10, Offset = -1 }));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Inconsistent_map_options_are_refused_before_the_file_is_created_or_extended()
    {
        IoMapOptions bad = IoMapOptions.IoMemory with { AllowUnaligned = true };
        string path = _dir.Combine("bad.bin");
        Assert.Throws<ArgumentException>(() => MappedFile.Open(path, new() { Create = true, Size = 4096, MapOptions = bad }));
        Assert.False(File.Exists(path));

        string shorter = _dir.Write("short.bin", new byte[10]);
        Assert.Throws<ArgumentException>(() => MappedFile.Open(shorter, new() { Create = true, Size = 8192, MapOptions = bad }));
        Assert.Equal(10, new FileInfo(shorter).Length);
    }

    [Fact]
    public void A_failed_mmap_names_the_range_asked_for_not_the_page_rounded_one()
    {
        string path = _dir.Write("ro.bin", new byte[3 * Environment.SystemPageSize]);
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long page = Environment.SystemPageSize;

        // A shared writable mapping of a descriptor opened read-only is refused (EACCES), even for root.
        UnauthorizedAccessException e = Assert.Throws<UnauthorizedAccessException>(
            () => MmapRegion.Map(file, path, page, 0x10, 100, writable: true, "hint", StatKinds.Regular, "file"));
        Assert.Contains($"100 bytes (0x64) at offset 0x{page + 0x10:x}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_throws_FileNotFoundException_naming_it()
    {
        string path = _dir.Combine("missing.bin");
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => MappedFile.Open(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_refused_with_a_clear_error()
    {
        IOException e = Assert.Throws<IOException>(() => MappedFile.Open(_dir.Path));
        Assert.Contains("directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Space_and_map_options_can_be_overridden()
    {
        string path = _dir.Write("io.bin", new byte[4096]);
        using IoSysMap io = MappedFile.Open(path, new() { Space = IoSpace.IoMemory });
        Assert.True(io.IsIoMem);

        using IoSysMap narrow = MappedFile.Open(path, new() { MapOptions = IoMapOptions.IoMemory with { Widths = AccessWidths.Bits32 } });
        Assert.True(narrow.IsIoMem);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => narrow.Read8(0)).Error);
        Assert.Equal(0u, narrow.Read32(0));
    }

    [Fact]
    public void Inconsistent_map_options_fail_and_leave_no_mapping()
    {
        string path = _dir.Write("bad.bin", new byte[4096]);
        Assert.Throws<ArgumentException>(() => MappedFile.Open(path, new() { MapOptions = IoMapOptions.SystemMemory with { Widths = AccessWidths.Bits32 } }));
        Assert.Empty(ProcMaps.For(path));
    }
}
