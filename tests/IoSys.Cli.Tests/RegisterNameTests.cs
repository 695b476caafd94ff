using System.Diagnostics;

namespace IoSys.Cli.Tests;

/// <summary>
/// <c>--svd FILE</c> on read, write, poll and watch: register names where offsets go, field assignments where values
/// go, widths from the description, and clear errors (file, register or field, value) for every mistake.
/// </summary>
public sealed class RegisterNameTests : IDisposable
{
    internal static readonly string Edu = Svd("edu");
    internal static readonly string Pl011 = Svd("pl011");
    internal static readonly string Pl031 = Svd("pl031");
    internal static readonly string Pl061 = Svd("pl061");

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string Svd(string name) => Path.Combine(AppContext.BaseDirectory, "svd", name + ".svd");

    [Fact]
    public void Read_ByRegisterName_IsTheOffsetsValue()
    {
        Expect.Output(CliProcess.Run("read", "sim:edu", "Identification", "--svd", Edu), "0x010000ed\n");
        Expect.Output(CliProcess.Run("read", "sim:edu", "identification", "--svd", Edu), "0x010000ed\n"); // the only case-insensitive match
        Expect.Output(CliProcess.Run("read", "sim:edu", "Identification.Magic", "--svd", Edu), "0x00ed\n");
        Expect.Output(CliProcess.Run("read", "sim:edu", "Identification.Major", "--svd", Edu, "--format", "dec"), "1\n");
    }

    [Fact]
    public void Read_WidthComesFromTheRegister_AndADisagreeingWidthIsAnError()
    {
        // DmaCount is 64 bits at 0x90: read by name, it is one 8-byte access.
        Expect.Output(CliProcess.Run("read", "sim:edu", "DmaCount", "--svd", Edu), "0x0000000000000000\n");
        Expect.Error(CliProcess.Run("read", "sim:edu", "Identification", "--width", "8", "--svd", Edu), 2, "--width 8", "Identification", "32 bits");
    }

    [Fact]
    public void Read_UnknownNames_NameTheFileAndListWhatExists()
    {
        Expect.Error(CliProcess.Run("read", "sim:edu", "Nope", "--svd", Edu), 2, "edu.svd", "Nope", "Identification");
        Expect.Error(CliProcess.Run("read", "sim:edu", "Status.Nope", "--svd", Edu), 2, "edu.svd", "Status", "Nope", "IrqOnFactorial");
        Expect.Error(CliProcess.Run("read", "sim:edu", "Identification"), 2, "Identification", "--svd");
        Expect.Error(CliProcess.Run("read", "sim:edu", "InterruptRaise", "--svd", Edu), 2, "InterruptRaise", "write-only");
        Expect.Error(CliProcess.Run("read", "sim:edu", "0", "--peripheral", "EDU"), 2, "--peripheral", "--svd");
        Expect.Error(CliProcess.Run("read", "sim:edu", "Identification", "--svd", Edu, "--peripheral", "UART"), 2, "edu.svd", "UART", "EDU");
    }

    [Fact]
    public void Write_ByName_AndReadBack()
    {
        Expect.Output(CliProcess.Run("write", "sim:edu", "Liveness", "0x12345678", "--read-back", "--svd", Edu), "0xedcba987\n");
        Expect.Output(CliProcess.Run("write", "sim:edu", "Liveness=0x12345678", "--read-back", "--svd", Edu), "0xedcba987\n");
    }

    [Fact]
    public void Write_Field_IsAReadModifyWrite_SaidSoInTheOutput()
    {
        CliResult r = CliProcess.Run("write", "sim:edu", "Status.IrqOnFactorial=1", "--read-back", "--svd", Edu);
        Expect.Output(r, "Status.IrqOnFactorial[7] = 0x1: read-modify-write of Status, 0x00000000 -> 0x00000080\n0x00000080\n");
    }

    [Fact]
    public void Write_Field_OnAFile_KeepsTheOtherBits()
    {
        byte[] bytes = new byte[0x1000];
        bytes[0x30] = 0x00;
        bytes[0x31] = 0x03; // UARTCR: TXE and RXE set, UARTEN clear
        string file = _dir.Write("uart.bin", bytes);
        Expect.Output(CliProcess.Run("write", file, "UARTCR.UARTEN=1", "--svd", Pl011),
            "UARTCR.UARTEN[0] = 0x1: read-modify-write of UARTCR, 0x00000300 -> 0x00000301\n");
        Assert.Equal(new byte[] { 0x01, 0x03, 0, 0 }, File.ReadAllBytes(file)[0x30..0x34]);
        Expect.Output(CliProcess.Run("read", file, "UARTCR", "--svd", Pl011), "0x00000301\n");
        // An enumerated value by name, into a 3-bit field.
        Expect.Output(CliProcess.Run("write", file, "UARTIFLS.RXIFLSEL", "Half", "--svd", Pl011),
            "UARTIFLS.RXIFLSEL[5:3] = 0x2: read-modify-write of UARTIFLS, 0x00000000 -> 0x00000010\n");
    }

    [Fact]
    public void Write_RefusedByTheDescription_TouchesNothing()
    {
        string file = _dir.Write("uart.bin", new byte[0x1000]);
        Expect.Error(CliProcess.Run("write", file, "UARTCR.UARTEN=2", "--svd", Pl011), 2, "pl011.svd", "UARTEN", "does not fit", "0x1");
        Expect.Error(CliProcess.Run("write", file, "UARTIFLS.RXIFLSEL=Sideways", "--svd", Pl011), 2, "Sideways", "RXIFLSEL", "Half");
        Expect.Error(CliProcess.Run("write", file, "UARTFR.BUSY=1", "--svd", Pl011), 2, "UARTFR", "read-only");
        Expect.Error(CliProcess.Run("write", file, "UARTCR.NOPE=1", "--svd", Pl011), 2, "UARTCR", "NOPE", "UARTEN");
        Expect.Error(CliProcess.Run("write", file, "UARTCR", "0x100000000", "--svd", Pl011), 2, "0x100000000", "32 bits");
        Expect.Error(CliProcess.Run("write", file, "UARTCR.UARTEN", "--svd", Pl011), 2, "missing VALUE");
        Expect.Error(CliProcess.Run("write", "sim:edu", "Identification", "1", "--svd", Edu), 2, "Identification", "read-only");
        Expect.Error(CliProcess.Run("write", "sim:edu", "Status.Computing=1", "--svd", Edu), 2, "Computing", "read-only");
        Assert.All(File.ReadAllBytes(file), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Write_FieldOfAWriteOnlyRegister_IsRefused_TheWholeRegisterIsNot()
    {
        // UARTICR is write-only: a field alone would need a read of its reserved bits. The whole register needs none.
        string file = _dir.Write("uart.bin", Enumerable.Repeat((byte)0xff, 0x1000).ToArray());
        Expect.Error(CliProcess.Run("write", file, "UARTICR.RXIC=1", "--svd", Pl011), 2, "UARTICR", "write-only", "UARTICR=VALUE");
        Expect.Output(CliProcess.Run("write", file, "UARTICR=0x10", "--svd", Pl011), "");
        Assert.Equal(new byte[] { 0x10, 0, 0, 0 }, File.ReadAllBytes(file)[0x44..0x48]);
    }

    [Fact]
    public void Write_FieldThatFillsItsRegister_NeedsNoRead()
    {
        Expect.Output(CliProcess.Run("write", "sim:edu", "Liveness.Value=0x12345678", "--read-back", "--svd", Edu),
            "Liveness.Value[31:0] = 0x12345678: write of Liveness, 0x12345678 (no read needed)\n0xedcba987\n");
    }

    [Fact]
    public void Poll_Field_UsesTheFieldAsMask()
    {
        Expect.Output(CliProcess.Run("poll", "sim:edu", "Status.Computing", "--equals", "0", "--svd", Edu), "0x00000000\n");
        Expect.Error(CliProcess.Run("poll", "sim:edu", "Status.Computing", "--equals", "0", "--mask", "1", "--svd", Edu), 2, "--mask", "Computing");
        Expect.Error(CliProcess.Run("poll", "sim:edu", "Status.Computing", "--equals", "2", "--svd", Edu), 2, "Computing", "does not fit");
        string file = _dir.Write("uart.bin", new byte[0x1000]);
        Expect.Error(CliProcess.Run("poll", file, "UARTCR.UARTEN", "--equals", "1", "--timeout", "100ms", "--svd", Pl011), 1, "timed out", "0x00000001");
    }

    [Fact]
    public void Watch_PrintsTheFieldsThatChanged()
    {
        string file = _dir.Write("uart.bin", new byte[0x1000]);
        using Process watch = CliProcess.Start(null, ["watch", file, "UARTCR", "--svd", Pl011, "--interval", "10ms", "--changes", "1", "--timeout", "30s"], redirectInput: false);
        string first = watch.StandardOutput.ReadLine() ?? "";
        Assert.Matches(@"^\+\d+\.\d{3}s 0x00000000 UARTEN=0x0 SIREN=0x0 .*CTSEn=0x0$", first);
        using (var f = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            f.Position = 0x30;
            f.Write([0x01, 0x01]); // UARTEN and TXE
        }

        Assert.True(watch.WaitForExit(30_000));
        string rest = watch.StandardOutput.ReadToEnd();
        Assert.Equal(0, watch.ExitCode);
        Assert.Matches(@"^\+\d+\.\d{3}s 0x00000101 UARTEN 0x0 -> 0x1, TXE 0x0 -> 0x1\n$", rest);
    }

    [Fact]
    public void Watch_AField_IgnoresTheOtherBits()
    {
        string file = _dir.Write("uart.bin", new byte[0x1000]);
        using Process watch = CliProcess.Start(null, ["watch", file, "UARTCR.TXE", "--svd", Pl011, "--interval", "10ms", "--changes", "1", "--timeout", "30s"], redirectInput: false);
        Assert.Matches(@"^\+\d+\.\d{3}s 0x00000000 TXE=0x0$", watch.StandardOutput.ReadLine() ?? "");
        using (var f = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            f.Position = 0x30;
            f.WriteByte(0x01); // UARTEN: not watched
            f.Flush();
            Thread.Sleep(300);
            f.Position = 0x31;
            f.WriteByte(0x01); // TXE
        }

        Assert.True(watch.WaitForExit(30_000));
        Assert.Matches(@"^\+\d+\.\d{3}s 0x00000101 TXE 0x0 -> 0x1\n$", watch.StandardOutput.ReadToEnd());
    }

    [Fact]
    public void NumericOffsets_StillWork_WithADescription()
    {
        Expect.Output(CliProcess.Run("read", "sim:edu", "0x0", "--svd", Edu), "0x010000ed\n");
        Expect.Output(CliProcess.Run("read", "sim:edu", "0x80", "--svd", Edu), "0x0000000000000000\n"); // DmaSource's 64 bits
        Expect.Output(CliProcess.Run("read", "sim:edu", "0x80", "--width", "32", "--svd", Edu), "0x00000000\n");
    }

    [Fact]
    public void SeveralPeripherals_NeedOneChosen()
    {
        string svd = _dir.File("two.svd");
        File.WriteAllText(svd, HostileDescriptions.Device(
            HostileDescriptions.Peripheral("A", 0x1000, HostileDescriptions.Register("CTRL", 0x0)) +
            HostileDescriptions.Peripheral("B", 0x2000, HostileDescriptions.Register("DATA", 0x4))));
        string file = _dir.Write("regs.bin", [1, 0, 0, 0, 2, 0, 0, 0]);
        Expect.Error(CliProcess.Run("read", file, "DATA", "--svd", svd), 2, "two.svd", "2 peripherals", "A, B", "--peripheral");
        Expect.Output(CliProcess.Run("read", file, "DATA", "--svd", svd, "--peripheral", "B"), "0x00000002\n");
        Expect.Error(CliProcess.Run("read", file, "DATA", "--svd", svd, "--peripheral", "A"), 2, "two.svd", "DATA", "CTRL");
    }
}
