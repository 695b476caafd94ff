namespace IoSys.Linux.Tests;

/// <summary>
/// The tests run as root, where permission checks pass; so the errno-to-exception translation that users see
/// without root is checked directly.
/// </summary>
public sealed class LinuxErrorsTests
{
    [Fact]
    public void Permission_denied_becomes_UnauthorizedAccessException_with_the_path_and_the_hint()
    {
        Exception e = LinuxErrors.ForOpen("/dev/uio0", 13, "UIO device uio0", "run as root, or add a udev rule");
        UnauthorizedAccessException u = Assert.IsType<UnauthorizedAccessException>(e);
        Assert.Contains("/dev/uio0", u.Message, StringComparison.Ordinal);
        Assert.Contains("permission denied", u.Message, StringComparison.Ordinal);
        Assert.Contains("udev rule", u.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(LinuxErrors.ForOpen("/dev/mem", 1, "x", "root"));
    }

    [Fact]
    public void Other_errors_name_the_path_and_the_cause()
    {
        Assert.IsType<FileNotFoundException>(LinuxErrors.ForOpen("/x", 2, "file", "h"));
        Assert.Contains("busy", LinuxErrors.ForOpen("/x", 16, "file", "h").Message, StringComparison.Ordinal);
        Exception mmap = LinuxErrors.ForMmap("/sys/bus/pci/devices/0000:00:04.0/resource0", 22, 0, 4096, true, "h");
        Assert.IsType<IOException>(mmap);
        Assert.Contains("resource0", mmap.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(LinuxErrors.ForMmap("/dev/mem", 1, 0, 4096, true, "STRICT_DEVMEM"));
    }

    [Fact]
    public void Delete_errors_say_delete_not_open()
    {
        Exception denied = LinuxErrors.ForDelete("/dev/shm/x", 13, "shared memory", "HINT");
        Assert.IsType<UnauthorizedAccessException>(denied);
        Assert.StartsWith("Cannot delete shared memory '/dev/shm/x': permission denied", denied.Message, StringComparison.Ordinal);
        Assert.Contains("HINT", denied.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(LinuxErrors.ForDelete("/dev/shm/x", 1, "shared memory", "HINT"));
        Exception busy = LinuxErrors.ForDelete("/dev/shm/x", 16, "shared memory", "HINT");
        Assert.IsType<IOException>(busy);
        Assert.StartsWith("Cannot delete shared memory '/dev/shm/x'", busy.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HINT", busy.Message, StringComparison.Ordinal);
    }
}
