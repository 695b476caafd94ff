namespace IoSys.Cli.Tests;

public sealed class BulkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Fill_Bytes()
    {
        string file = _dir.Write("t.bin", new byte[64]);
        Expect.Output(CliProcess.Run("fill", file, "8", "16", "0xa5"), "");
        byte[] after = File.ReadAllBytes(file);
        Assert.All(after[8..24], b => Assert.Equal(0xa5, b));
        Assert.All(after[..8], b => Assert.Equal(0, b));
        Assert.All(after[24..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Fill_WordsOfTheWidth()
    {
        string file = _dir.Write("t.bin", new byte[32]);
        Expect.Output(CliProcess.Run("fill", file, "0", "12", "0x11223344", "--width", "32"), "");
        Assert.Equal(new byte[] { 0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11, 0 }, File.ReadAllBytes(file)[..13]);
    }

    [Fact]
    public void Fill_RefusedBeforeWriting()
    {
        string file = _dir.Write("t.bin", new byte[32]);
        Expect.Error(CliProcess.Run("fill", file, "16", "32", "1"), 1, "0x10", "outside");
        Expect.Error(CliProcess.Run("fill", file, "0", "6", "1", "--width", "32"), 2, "not a multiple", "32-bit");
        Expect.Error(CliProcess.Run("fill", file, "0", "4", "0x100"), 2, "0x100", "8 bits");
        Assert.All(File.ReadAllBytes(file), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("8", 1001)]
    [InlineData("16", 1001)]
    [InlineData("32", 1003)]
    [InlineData("64", 1007)]
    public void Load_WithWidth_ThenVerify(string? width, int length)
    {
        byte[] data = Expect.Bytes(length, length);
        string source = _dir.Write("fw.bin", data);
        string target = _dir.Write("dev.bin", new byte[4096]);
        var args = new List<string> { "load", source, target, "0x100", "--verify" };
        if (width is not null)
        {
            args.AddRange(["--width", width]);
        }

        CliResult r = CliProcess.Run([.. args]);
        Expect.Ok(r);
        Assert.StartsWith($"loaded and verified {length} bytes", r.StdOut);
        byte[] after = File.ReadAllBytes(target);
        Assert.Equal(data, after[0x100..(0x100 + length)]);
        Assert.All(after[..0x100], b => Assert.Equal(0, b));
        Assert.All(after[(0x100 + length)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Load_IntoSimEdu_RefusesATailTheRegionCannotTake()
    {
        // edu accepts 4- and 8-byte accesses above 0x80: a 6-byte file leaves a 2-byte tail.
        string source = _dir.Write("fw.bin", [1, 2, 3, 4, 5, 6]);
        Expect.Error(CliProcess.Run("load", source, "sim:edu", "0x100", "--width", "32"), 1, "last 2 byte", "0x104", "sim:edu");
        Expect.Error(CliProcess.Run("load", source, "sim:edu", "0x100", "--width", "64"), 1, "last 2 byte", "0x104");
    }

    [Fact]
    public void Load_OutOfRange_WritesNothing()
    {
        string source = _dir.Write("fw.bin", Expect.Bytes(100, 5));
        string target = _dir.Write("dev.bin", new byte[128]);
        Expect.Error(CliProcess.Run("load", source, target, "64", "--width", "32"), 1, "0x40", "outside");
        Assert.All(File.ReadAllBytes(target), b => Assert.Equal(0, b));
        Expect.Error(CliProcess.Run("load", source, target, "2", "--width", "32"), 1, "misaligned");
        Assert.All(File.ReadAllBytes(target), b => Assert.Equal(0, b));
        Expect.Error(CliProcess.Run("load", _dir.File("missing.bin"), target), 1, "missing.bin");
    }

    [Fact]
    public void Load_VerifyReportsTheFirstMismatch()
    {
        // edu's liveness register (0x04) reads back the complement of what was written.
        string source = _dir.Write("fw.bin", [0, 0, 0, 0]);
        Expect.Error(CliProcess.Run("load", source, "sim:edu", "4", "--width", "32", "--verify"), 1, "verify failed", "offset 0x4", "0xff", "0x00");
    }

    [Fact]
    public void Save_CopiesTheRangeOut()
    {
        byte[] data = Expect.Bytes(8192, 7);
        string source = _dir.Write("mem.bin", data);
        string output = _dir.File("out.bin");
        Expect.Output(CliProcess.Run("save", source, "0x10", "4K", output), "");
        Assert.Equal(data[0x10..0x1010], File.ReadAllBytes(output));
        Expect.Output(CliProcess.Run("save", source, "0", "8", output, "--width", "64"), "");
        Assert.Equal(data[..8], File.ReadAllBytes(output));
    }

    [Fact]
    public void Save_SimEdu()
    {
        string output = _dir.File("edu.bin");
        Expect.Output(CliProcess.Run("save", "sim:edu", "0", "4", output), "");
        Assert.Equal(new byte[] { 0xed, 0, 0, 1 }, File.ReadAllBytes(output));
        Expect.Error(CliProcess.Run("save", "sim:edu", "0xffff0", "0x20", output), 1, "outside", "0x100000");
    }
}
