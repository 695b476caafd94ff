namespace IoSys.Cli.Tests;

public sealed class ReadWriteTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _file;

    public ReadWriteTests()
    {
        var bytes = new byte[256];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }

        _file = _dir.Write("regs.bin", bytes);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_DefaultsTo32BitHexPaddedToTheWidth() =>
        Expect.Output(CliProcess.Run("read", _file, "0x10"), "0x13121110\n");

    [Fact]
    public void Output_to_a_file_shared_with_the_shell_lands_after_what_came_before_and_before_what_follows()
    {
        // { echo before; iosys read ...; echo after; } > log: one open file, one shared offset. A tool that writes
        // with pwrite at its own position (FileStream on descriptor 1) puts its line at offset 0 and the shell's
        // "after" then overwrites it.
        string log = _dir.File("shared.log");
        int rc = CliProcess.RunInShell("{ echo before; \"$@\" read \"$TARGET\" 0x10; echo after; } > \"$LOG\"",
            new Dictionary<string, string> { ["LOG"] = log, ["TARGET"] = _file });
        Assert.Equal(0, rc);
        Assert.Equal("before\n0x13121110\nafter\n", File.ReadAllText(log));
    }

    [Theory]
    [InlineData("8", "0x10", "0x10\n")]
    [InlineData("16", "0x10", "0x1110\n")]
    [InlineData("32", "16", "0x13121110\n")]
    [InlineData("64", "0b10000", "0x1716151413121110\n")]
    public void Read_EachWidth(string width, string offset, string expected) =>
        Expect.Output(CliProcess.Run("read", _file, offset, "--width", width), expected);

    [Fact]
    public void Read_CountAndFormats()
    {
        Expect.Output(CliProcess.Run("read", "file:" + _file, "0", "--count", "3", "--width", "16"), "0x0100\n0x0302\n0x0504\n");
        Expect.Output(CliProcess.Run("read", _file, "0xfc", "--format", "dec"), "4294901244\n");
        Expect.Output(CliProcess.Run("read", _file, "0x3", "-w", "8", "-f", "bin"), "0b00000011\n");
    }

    [Fact]
    public void Read_Json()
    {
        CliResult r = CliProcess.Run("read", _file, "0x20", "--count", "2", "--json");
        Expect.Ok(r);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal(32, doc.RootElement.GetProperty("width").GetInt32());
        var values = doc.RootElement.GetProperty("values");
        Assert.Equal(2, values.GetArrayLength());
        Assert.Equal(0x24, values[1].GetProperty("offset").GetInt64());
        Assert.Equal(0x27262524UL, values[1].GetProperty("value").GetUInt64());
        Assert.Equal("0x27262524", values[1].GetProperty("hex").GetString());
    }

    [Fact]
    public void Read_SimEdu_IdentificationRegister() =>
        Expect.Output(CliProcess.Run("read", "sim:edu", "0"), "0x010000ed\n");

    [Fact]
    public void Write_ThenRead_AndReadBack()
    {
        Expect.Output(CliProcess.Run("write", _file, "0x40", "0xdead_beef"), "");
        Expect.Output(CliProcess.Run("read", _file, "0x40"), "0xdeadbeef\n");
        Assert.Equal(new byte[] { 0xef, 0xbe, 0xad, 0xde }, File.ReadAllBytes(_file)[0x40..0x44]);
        Expect.Output(CliProcess.Run("write", _file, "0x48", "0x1122334455667788", "--width", "64", "--read-back"), "0x1122334455667788\n");
        Expect.Output(CliProcess.Run("write", _file, "0x50", "255", "-w", "8", "-r", "-f", "dec"), "255\n");
    }

    [Fact]
    public void Write_SimEduLiveness_ReadsBackInverted() =>
        Expect.Output(CliProcess.Run("write", "sim:edu", "4", "0x12345678", "--read-back"), "0xedcba987\n");

    [Fact]
    public void Write_SharedMemory_ReachesTheObject()
    {
        string name = "iosys-cli-test-" + Guid.NewGuid().ToString("n")[..8];
        string path = "/dev/shm/" + name;
        File.WriteAllBytes(path, new byte[4096]);
        try
        {
            Expect.Output(CliProcess.Run("write", "shm:" + name, "0x100", "0xcafe", "--width", "16"), "");
            Assert.Equal(new byte[] { 0xfe, 0xca }, File.ReadAllBytes(path)[0x100..0x102]);
            Expect.Output(CliProcess.Run("read", "shm:" + name, "0x100", "-w", "16"), "0xcafe\n");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_OpensTheTargetReadOnly()
    {
        // A running executable cannot be opened for writing even by root (ETXTBSY): reading it proves the
        // tool opened it read-only.
        string running = Environment.ProcessPath!;
        Expect.Output(CliProcess.Run("read", running, "0"), "0x464c457f\n");
    }
}
