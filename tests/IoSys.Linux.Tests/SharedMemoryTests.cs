namespace IoSys.Linux.Tests;

public sealed class SharedMemoryTests : IDisposable
{
    private readonly string _name = $"iosys-test-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public void Dispose() => SharedMemory.Delete(_name);

    [Fact]
    public void Create_then_open_again_shares_the_same_memory()
    {
        using IoSysMap a = SharedMemory.Open(_name, new() { Create = true, Size = 8192 });
        Assert.True(File.Exists($"/dev/shm/{_name}"));
        Assert.Equal(8192, a.Size);
        Assert.Equal(IoSpace.SystemMemory, a.Space);

        using IoSysMap b = SharedMemory.Open("/" + _name);
        Assert.Equal(8192, b.Size);
        Assert.NotEqual(a.Address, b.Address);

        a.Write64(4096, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, b.Read64(4096));
        b.Write32(0, 0xcafef00d);
        Assert.Equal(0xcafef00du, a.Read32(0));
    }

    [Fact]
    public void Delete_removes_the_name_but_open_maps_stay_valid()
    {
        using IoSysMap map = SharedMemory.Open(_name, new() { Create = true, Size = 4096 });
        map.Write32(0, 7);
        Assert.True(SharedMemory.Delete(_name));
        Assert.False(SharedMemory.Delete(_name));
        Assert.Equal(7u, map.Read32(0));
        Assert.Throws<FileNotFoundException>(() => SharedMemory.Open(_name));
    }

    [Fact]
    public void Missing_object_throws_FileNotFoundException_with_its_path()
    {
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => SharedMemory.Open(_name));
        Assert.Equal($"/dev/shm/{_name}", e.FileName);
    }

    [Fact]
    public void Empty_object_and_size_past_its_end_are_refused_before_mapping()
    {
        File.WriteAllBytes($"/dev/shm/{_name}", []);
        IOException empty = Assert.Throws<IOException>(() => SharedMemory.Open(_name));
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);

        File.WriteAllBytes($"/dev/shm/{_name}", new byte[100]);
        ArgumentOutOfRangeException tooBig = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Open(_name, new() { Size = 4096 }));
        Assert.Contains($"/dev/shm/{_name}", tooBig.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For($"/dev/shm/{_name}"));
    }

    [Fact]
    public void Read_only_open_refuses_writes()
    {
        using IoSysMap rw = SharedMemory.Open(_name, new() { Create = true, Size = 4096 });
        rw.Write8(3, 42);
        using IoSysMap ro = SharedMemory.Open(_name, new() { ReadOnly = true });
        Assert.Equal(42, ro.Read8(3));
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => ro.Write8(3, 0)).Error);
        Assert.Equal(42, rw.Read8(3));
    }

    [Fact]
    public void Dispose_unmaps_the_object()
    {
        string path = $"/dev/shm/{_name}";
        IoSysMap map = SharedMemory.Open(_name, new() { Create = true, Size = 4096 });
        Assert.Single(ProcMaps.For(path));
        map.Dispose();
        Assert.Empty(ProcMaps.For(path));
        Assert.Throws<ObjectDisposedException>(() => map.Read8(0));
    }

    [Fact]
    public void Inconsistent_map_options_are_refused_before_the_object_is_created()
    {
        string directory = Directory.CreateTempSubdirectory("iosys-shm-").FullName;
        try
        {
            IoMapOptions bad = IoMapOptions.IoMemory with { AllowUnaligned = true };
            Assert.Throws<ArgumentException>(() => SharedMemory.Open(_name, new() { Create = true, Size = 4096, MapOptions = bad, Directory = directory }));
            Assert.False(File.Exists(Path.Join(directory, _name)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Delete_failure_other_than_missing_is_an_IOException_that_says_delete()
    {
        string directory = Directory.CreateTempSubdirectory("iosys-shm-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Join(directory, _name)); // unlink of a directory: EISDIR
            IOException e = Assert.Throws<IOException>(() => SharedMemory.Delete(_name, directory));
            Assert.StartsWith("Cannot delete shared memory", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("/.")]
    public void Invalid_names_are_refused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => SharedMemory.Open(name, new() { Create = true, Size = 10 }));
    }

    [Fact]
    public void Memfd_is_zeroed_read_write_memory_of_the_size_asked()
    {
        using IoSysMap map = SharedMemory.CreateAnonymous(10_000, _name);
        Assert.Equal(10_000, map.Size);
        Assert.Equal(IoSpace.SystemMemory, map.Space);
        Assert.False(map.IsReadOnly);
        var bytes = new byte[10_000];
        map.ReadBytes(0, bytes);
        Assert.All(bytes, b => Assert.Equal(0, b));
        map.Write64(9992, ulong.MaxValue);
        Assert.Equal(ulong.MaxValue, map.Read64(9992));
        Assert.Throws<IoAccessException>(() => map.Read8(10_000));
    }

    [Fact]
    public void Memfd_mapping_is_gone_from_proc_maps_after_dispose()
    {
        IoSysMap map = SharedMemory.CreateAnonymous(4096, _name);
        string path = $"/memfd:{_name}";
        Assert.Single(ProcMaps.For(path));
        map.Dispose();
        Assert.Empty(ProcMaps.For(path));
        Assert.Throws<ObjectDisposedException>(() => map.Read64(0));
    }

    [Fact]
    public void Memfd_of_no_bytes_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateAnonymous(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.CreateAnonymous(-1));
    }
}
