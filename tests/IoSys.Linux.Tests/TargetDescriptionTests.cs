namespace IoSys.Linux.Tests;

/// <summary>
/// Every Linux opener describes its map (IoMapOptions.Description), so that an IoAccessException names the file,
/// shared-memory object or device it was refused on, besides the offset, width and size.
/// </summary>
public sealed class TargetDescriptionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _shm = $"iosys-desc-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public void Dispose()
    {
        SharedMemory.Delete(_shm);
        _dir.Dispose();
    }

    private static IoAccessException Refused(IoSysMap map, string target)
    {
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(map.Size));
        Assert.Equal(target, e.Target);
        Assert.StartsWith(target + ": ", e.Reason, StringComparison.Ordinal);
        Assert.StartsWith(target + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(AccessHex(map.Size), e.Reason, StringComparison.Ordinal); // still names offset and size
        return e;
    }

    private static string AccessHex(long value) => $"0x{value:x}";

    [Fact]
    public void MappedFile_errors_name_the_path_in_typed_bulk_and_window_accesses()
    {
        string path = _dir.Write("data.bin", new byte[0x1000]);
        using IoSysMap map = MappedFile.Open(path);
        Assert.Equal(path, map.Description);
        Refused(map, path);

        IoAccessException bulk = Assert.Throws<IoAccessException>(() => map.ReadBytes(0xff0, new byte[0x20]));
        Assert.Equal(path, bulk.Target);

        using IoSysMap window = map.Slice(0x800, 0x100);
        IoAccessException inWindow = Assert.Throws<IoAccessException>(() => window.Read64(0x100));
        Assert.Equal($"{path} (window at 0x800)", inWindow.Target);
        Assert.Equal(path, Assert.Throws<IoAccessException>(() => map.Slice(0xf00, 0x200)).Target);
    }

    [Fact]
    public void A_description_given_by_the_caller_is_kept()
    {
        string path = _dir.Write("data.bin", new byte[0x100]);
        using IoSysMap map = MappedFile.Open(path, new() { MapOptions = IoMapOptions.SystemMemory with { Description = "ring buffer" } });
        Refused(map, "ring buffer");
    }

    [Fact]
    public void SharedMemory_errors_name_the_object()
    {
        using IoSysMap map = SharedMemory.Open(_shm, new() { Create = true, Size = 0x1000 });
        Refused(map, $"shm:/{_shm}");
        using IoSysMap again = SharedMemory.Open("/" + _shm, new() { ReadOnly = true });
        IoAccessException e = Assert.Throws<IoAccessException>(() => again.Write8(0, 1));
        Assert.Equal((IoAccessError.ReadOnly, $"shm:/{_shm}"), (e.Error, e.Target));
    }

    [Fact]
    public void Anonymous_shared_memory_errors_name_the_memfd()
    {
        using IoSysMap map = SharedMemory.CreateAnonymous(0x1000, "ring");
        Refused(map, "memfd:ring");
    }

    [Fact]
    public void PhysicalMemory_errors_name_the_device_and_address()
    {
        string mem = _dir.Write("mem", new byte[0x4000]);
        using IoSysMap map = PhysicalMemory.Open(0x2000, 0x100, new() { DevicePath = mem });
        Refused(map, $"{mem} at 0x2000");
    }

    [Fact]
    public void RegularFileIo_errors_name_the_path()
    {
        string path = _dir.Write("file.bin", new byte[0x40]);
        using RegularFileIo file = RegularFileIo.Open(path, readOnly: true);
        using IoSysMap map = file.CreateMap();
        Refused(map, path);
    }

    [Fact]
    public void FileKind_Describe_gives_each_kind_its_own_words_and_never_throws()
    {
        FileKind[] kinds = Enum.GetValues<FileKind>();
        string[] words = kinds.Select(k => k.Describe()).ToArray();
        Assert.All(words, w => Assert.StartsWith("a ", w, StringComparison.Ordinal));
        Assert.Equal(words.Length, words.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("a FIFO (named pipe)", FileKind.Fifo.Describe());
        Assert.Equal(FileKind.Unknown.Describe(), ((FileKind)12345).Describe());

        // What the openers say of a directory given as a file comes from the same words.
        IOException e = Assert.Throws<IOException>(() => RegularFileIo.Open(_dir.Path, readOnly: true));
        Assert.Contains(FileKind.Directory.Describe(), e.Message, StringComparison.Ordinal);
    }
}
