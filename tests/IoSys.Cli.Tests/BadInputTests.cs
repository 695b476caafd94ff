namespace IoSys.Cli.Tests;

/// <summary>Every class of bad input: one line naming the culprit, exit 2 (usage) or 1 (runtime), never a crash.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _file;

    public BadInputTests() => _file = _dir.Write("r.bin", new byte[64]);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MisalignedRead_OnAFile_IsExit1NotASignal()
    {
        CliResult r = CliProcess.Run("read", _file, "0x3");
        Assert.NotEqual(134, r.ExitCode);
        Assert.NotEqual(135, r.ExitCode);
        Expect.Error(r, 1, "misaligned", "0x3", "4-byte");
    }

    [Fact]
    public void OutOfRangeRead_OnAFile_IsExit1NotASignal()
    {
        CliResult r = CliProcess.Run("read", _file, "0x40");
        Assert.NotEqual(134, r.ExitCode);
        Assert.NotEqual(135, r.ExitCode);
        Expect.Error(r, 1, "outside", "0x40");
        Expect.Error(CliProcess.Run("read", _file, "0x3c", "--count", "2"), 1, "outside", "0x40");
        Expect.Error(CliProcess.Run("read", _file, "0x7fffffffffffffff", "-w", "8"), 1, "outside");
    }

    [Theory]
    [InlineData("0xzz")]
    [InlineData("12ab")]
    [InlineData("0b102")]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("1__")]
    public void BadNumber_IsAUsageError(string offset) =>
        Expect.Error(CliProcess.Run("read", _file, offset), 2, "offset", $"'{offset}'");

    [Fact]
    public void NumbersThatDoNotFit_AreUsageErrors()
    {
        Expect.Error(CliProcess.Run("read", _file, "0x1_0000_0000_0000_0000"), 2, "offset", "64 bits");
        Expect.Error(CliProcess.Run("read", _file, "0xffffffffffffffff"), 2, "offset", "too large");
        Expect.Error(CliProcess.Run("read", _file, "-4"), 2, "negative");
    }

    [Theory]
    [InlineData("8", "0x1ff", "0x1ff", "8 bits")]
    [InlineData("16", "65536", "65536", "16 bits")]
    [InlineData("32", "0x1_0000_0000", "0x1_0000_0000", "32 bits")]
    public void ValueTooWide_IsAUsageError_NamingValueAndWidth(string width, string value, string shown, string bits)
    {
        Expect.Error(CliProcess.Run("write", _file, "0", value, "--width", width), 2, shown, bits);
        Assert.All(File.ReadAllBytes(_file), b => Assert.Equal(0, b));
    }

    [Fact]
    public void WidthTheRegionRefuses_IsExit1()
    {
        Expect.Error(CliProcess.Run("read", "sim:edu", "0", "--width", "8"), 1, "refused", "4-byte", "0x0");
        Expect.Error(CliProcess.Run("write", "sim:edu", "0x40", "1", "--width", "16"), 1, "refused");
        Expect.Error(CliProcess.Run("read", "sim:edu", "0x08", "--width", "64"), 1, "refused");
    }

    [Fact]
    public void RefusedAccess_NamesTheTargetItWasRefusedOn()
    {
        // The library's IoAccessException carries the map's description (IoMapOptions.Description) as its prefix.
        Expect.Error(CliProcess.Run("read", _file, "0x3"), 1, $"{_file}: ", "misaligned", "0x3");
        Expect.Error(CliProcess.Run("read", "sim:edu", "0x08", "--width", "64"), 1, "sim:edu: ", "refused");
        Expect.Error(CliProcess.Run("read", "sim:edu", "0x100000"), 1, "outside sim:edu", "0x100000"); // the tool's own range wording
    }

    [Fact]
    public void MisalignedWrite_AndOutOfRangeWrite_ChangeNothing()
    {
        Expect.Error(CliProcess.Run("write", _file, "2", "1"), 1, "misaligned", "0x2");
        Expect.Error(CliProcess.Run("write", _file, "64", "1", "-w", "8"), 1, "outside", "0x40");
        Assert.All(File.ReadAllBytes(_file), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("0")]
    [InlineData("wide")]
    public void BadWidth_IsAUsageError(string width) =>
        Expect.Error(CliProcess.Run("read", _file, "0", "--width", width), 2, "width", width);

    [Fact]
    public void BadFormatCountAndDuration_AreUsageErrors()
    {
        Expect.Error(CliProcess.Run("read", _file, "0", "--format", "oct"), 2, "format", "oct");
        Expect.Error(CliProcess.Run("read", _file, "0", "--count", "0"), 2, "count");
        Expect.Error(CliProcess.Run("watch", _file, "0", "--interval", "fast"), 2, "interval", "fast");
    }

    [Theory]
    [InlineData("bogus:thing", "unknown target kind")]
    [InlineData("shm:", "shm:")]
    [InlineData("sim:", "sim:")]
    [InlineData("uio:", "uio:")]
    [InlineData("mem:0x1000+0", "at least 1 byte")]
    [InlineData("pci:zz", "pci:")]
    public void BadTarget_IsAUsageError(string target, string fragment) =>
        Expect.Error(CliProcess.Run("read", target, "0"), 2, target, fragment);

    [Fact]
    public void MissingTargets_AreRuntimeErrors()
    {
        Expect.Error(CliProcess.Run("read", _dir.File("nope.bin"), "0"), 1, "nope.bin");
        Expect.Error(CliProcess.Run("read", "shm:iosys-cli-no-such-object", "0"), 1, "iosys-cli-no-such-object");
        Expect.Error(CliProcess.Run("read", "sim:nosuch", "0"), 1, "nosuch");
        Expect.Error(CliProcess.Run("read", _dir.Write("empty.bin", []), "0"), 1, "empty");
        Expect.Error(CliProcess.Run("read", "mem:0x1000+4K", "0"), 1, "/dev/mem");
    }

    [Fact]
    public void CommandLineMistakes_AreUsageErrors()
    {
        Expect.Error(CliProcess.Run("frobnicate"), 2, "frobnicate");
        Expect.Error(CliProcess.Run(), 2, "command");
        Expect.Error(CliProcess.Run("read", _file), 2, "OFFSET");
        Expect.Error(CliProcess.Run("read", _file, "0", "--bogus"), 2, "--bogus");
        Expect.Error(CliProcess.Run("write", _file, "0"), 2, "VALUE");
    }

    [Fact]
    public void Help_And_Version_Succeed()
    {
        CliResult help = CliProcess.Run("--help");
        Expect.Ok(help);
        foreach (string command in new[] { "list", "read", "write", "dump", "fill", "load", "save", "poll", "watch", "bind", "unbind" })
        {
            Assert.Contains(command, help.StdOut);
        }

        CliResult readHelp = CliProcess.Run("read", "--help");
        Expect.Ok(readHelp);
        Assert.Contains("--width", readHelp.StdOut);
        Expect.Ok(CliProcess.Run("--version"));
    }

    [Fact]
    public void More_bad_inputs_each_get_a_one_line_error_naming_the_culprit()
    {
        Expect.Error(CliProcess.Run("read", _file, "0x7ffffffffffffff0", "--count", "100"), 2, "0x7ffffffffffffff0", "passes the largest offset");
        Expect.Error(CliProcess.Run("dump", _file, "0", "10", "--width", "32"), 2, "length 10", "32-bit");
        Expect.Error(CliProcess.Run("save", _file, "0", "10", _dir.File("x.bin"), "--width", "32"), 2, "length 10", "32-bit");
        Expect.Error(CliProcess.Run("read", "uio:0/map9", "0"), 2, "uio:0/map9", "0 to 4");
        Expect.Error(CliProcess.Run("read", "pci:1234:11e8/foo", "0"), 2, "pci:1234:11e8/foo", "/barN");
        Expect.Error(CliProcess.Run("read", "shm:a/b", "0"), 2, "shm:a/b");
        Expect.Error(CliProcess.Run("read", "mem:0xffffffffffffffff+2", "0"), 2, "passes the end of the address space");
        Expect.Error(CliProcess.Run("watch", _file, "0", "--timeout", "2d"), 2, "'2d'", "at most a day");
        Expect.Error(CliProcess.Run("dump", _file, "0", "16", "-o", "/no/such/dir/x"), 1, "/no/such/dir/x");
    }

    [Fact]
    public void A_read_of_a_width_refused_at_its_start_reads_nothing_and_says_where()
    {
        // sim:edu takes only 4-byte accesses below 0x80: a 64-bit read at 0x78 is refused before anything is read.
        Expect.Error(CliProcess.Run("read", "sim:edu", "0x78", "--width", "64", "--count", "2"), 1, "8-byte read at offset 0x78", "refused");
    }
}
