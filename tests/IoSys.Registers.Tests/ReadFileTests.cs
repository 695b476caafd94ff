using System.Diagnostics;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

/// <summary>Hostile paths: each is one SVD001 error naming the path, never a hang or an exception.</summary>
public sealed class ReadFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosys-svd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertRefused(SvdReadResult result, string path, string reason)
    {
        Assert.Null(result.Device);
        SvdDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(("SVD001", SvdSeverity.Error), (d.Code, d.Severity));
        Assert.Contains(path, d.Message, StringComparison.Ordinal);
        Assert.Contains(reason, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_directory_and_empty_file_are_refused()
    {
        AssertRefused(SvdReader.ReadFile(Path.Combine(_dir, "none.svd")), "none.svd", "does not exist");
        AssertRefused(SvdReader.ReadFile(_dir), _dir, "is a directory");
        string empty = Path.Combine(_dir, "empty.svd");
        File.WriteAllText(empty, string.Empty);
        AssertRefused(SvdReader.ReadFile(empty), empty, "empty or not a regular file");
    }

    [Fact]
    public async Task Devices_and_fifos_are_refused_without_blocking()
    {
        AssertRefused(SvdReader.ReadFile("/dev/zero"), "/dev/zero", "not a regular file");
        string fifo = Path.Combine(_dir, "pipe.svd");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        // With no writer, opening a FIFO would block forever; the reader must not open it.
        Task<SvdReadResult> read = Task.Run(() => SvdReader.ReadFile(fifo));
        SvdReadResult result = await read.WaitAsync(TimeSpan.FromSeconds(30));
        AssertRefused(result, fifo, "not a regular file");
    }

    [Fact]
    public void Files_over_the_size_limit_are_refused_before_reading()
    {
        string big = Path.Combine(_dir, "big.svd");
        File.WriteAllText(big, SvdText.Registers("<register><name>R</name><addressOffset>0</addressOffset></register>"));
        AssertRefused(SvdReader.ReadFile(big, new SvdReaderOptions { MaxFileBytes = 100 }), big, "more than the limit of 100");
    }

    [Fact]
    public void Unreadable_files_are_refused_and_symlinks_are_followed()
    {
        string file = Path.Combine(_dir, "ok.svd");
        File.WriteAllText(file, SvdText.Registers("<register><name>R</name><addressOffset>0</addressOffset></register>"));
        string link = Path.Combine(_dir, "link.svd");
        File.CreateSymbolicLink(link, file);
        Assert.True(SvdReader.ReadFile(link).TryGetDevice(out _));

        string dangling = Path.Combine(_dir, "dangling.svd");
        File.CreateSymbolicLink(dangling, Path.Combine(_dir, "gone.svd"));
        AssertRefused(SvdReader.ReadFile(dangling), dangling, "does not exist");

        if (OperatingSystem.IsLinux() && Environment.UserName != "root")
        {
            File.SetUnixFileMode(file, UnixFileMode.None);
            AssertRefused(SvdReader.ReadFile(file), file, "cannot be read");
        }
    }

    [Fact]
    public void Diagnostics_name_the_path_given()
    {
        string file = Path.Combine(_dir, "bad.svd");
        File.WriteAllText(file, "<device>\n<name>X</name>\n<peripherals><peripheral><name>P</name></peripheral></peripherals></device>");
        SvdDiagnostic d = Assert.Single(SvdReader.ReadFile(file).Diagnostics);
        Assert.Equal((file, 3), (d.Location.File, d.Location.Line));
    }
}
