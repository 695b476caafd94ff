using System.Text.Json;

namespace IoSys.Cli.Tests;

/// <summary><c>iosys regs TARGET --svd FILE</c>: every register decoded; read-sensitive and write-only ones skipped.</summary>
public sealed class RegsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Edu_Table()
    {
        CliResult r = CliProcess.Run("regs", "sim:edu", "--svd", RegisterNameTests.Edu);
        Expect.Ok(r);
        string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("EDU (", lines[0]);
        Assert.EndsWith("on sim:edu: 9 registers read, 2 skipped", lines[0]);
        Assert.Matches(@"^OFFSET +REGISTER +VALUE +FIELD +BITS +VALUE +MEANING$", lines[1]);
        Assert.Matches(@"^0x0 +Identification +0x010000ed +Major +\[31:24\] +0x1$", lines[2]);
        Assert.Matches(@"^ +Minor +\[23:16\] +0x0$", lines[3]);
        Assert.Matches(@"^ +Magic +\[15:0\] +0xed$", lines[4]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^0x98 +DmaCommand +0x0000000000000000 +Start +\[0\] +0x0$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ +Direction +\[1\] +0x0 +ToDevice$"));
        Assert.Contains("skipped InterruptRaise at 0x60: write-only", lines);
        Assert.Contains("skipped InterruptAcknowledge at 0x64: write-only", lines);
        // Columns line up: every field's BITS starts in the same column.
        int column = lines[1].IndexOf("BITS", StringComparison.Ordinal);
        Assert.All(lines.Where(l => l.Contains("[31:24]", StringComparison.Ordinal) || l.Contains("[1]", StringComparison.Ordinal)),
            l => Assert.Equal(column, l.IndexOf('[', StringComparison.Ordinal)));
    }

    [Fact]
    public void Edu_Json()
    {
        CliResult r = CliProcess.Run("regs", "sim:edu", "--svd", RegisterNameTests.Edu, "--json");
        Expect.Ok(r);
        using var doc = JsonDocument.Parse(r.StdOut);
        JsonElement root = doc.RootElement;
        Assert.Equal("sim:edu", root.GetProperty("target").GetString());
        Assert.Equal("EDU", root.GetProperty("peripheral").GetString());
        JsonElement[] registers = [.. root.GetProperty("registers").EnumerateArray()];
        Assert.Equal(9, registers.Length);
        JsonElement id = registers[0];
        Assert.Equal("Identification", id.GetProperty("name").GetString());
        Assert.Equal(0x010000edUL, id.GetProperty("value").GetUInt64());
        Assert.Equal(32, id.GetProperty("size").GetInt32());
        JsonElement major = id.GetProperty("fields")[0];
        Assert.Equal("Major", major.GetProperty("name").GetString());
        Assert.Equal(31, major.GetProperty("msb").GetInt32());
        Assert.Equal(24, major.GetProperty("lsb").GetInt32());
        Assert.Equal(1UL, major.GetProperty("value").GetUInt64());
        JsonElement direction = registers.Single(x => x.GetProperty("name").GetString() == "DmaCommand").GetProperty("fields")[1];
        Assert.Equal("ToDevice", direction.GetProperty("meaning").GetString());
        string[] skipped = [.. root.GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];
        Assert.Equal(["InterruptRaise", "InterruptAcknowledge"], skipped);
    }

    [Fact]
    public void ReadSensitive_IsSkippedUnlessAskedFor()
    {
        byte[] bytes = new byte[0x1000];
        bytes[0] = 0x41; // UARTDR: reading it would pop the receive FIFO on a real PL011
        bytes[0xfe0] = 0x11;
        string file = _dir.Write("uart.bin", bytes);
        CliResult r = CliProcess.Run("regs", file, "--svd", RegisterNameTests.Pl011);
        Expect.Ok(r);
        Assert.Contains("skipped UARTDR at 0x0: read has a side effect (readAction ModifyExternal)", r.StdOut);
        Assert.Contains("skipped UARTICR at 0x44: write-only", r.StdOut);
        Assert.Matches(@"\n0xfe0 +UARTPeriphID0 +0x00000011 +PartNumber0 +\[7:0\] +0x11\n", r.StdOut);
        Assert.DoesNotMatch(@"\n0x0 +UARTDR", r.StdOut);

        CliResult all = CliProcess.Run("regs", file, "--svd", RegisterNameTests.Pl011, "--include-read-sensitive");
        Expect.Ok(all);
        Assert.Matches(@"\n0x0 +UARTDR +0x00000041 +DATA +\[7:0\] +0x41\n", all.StdOut);
        Assert.Contains("skipped UARTICR at 0x44: write-only", all.StdOut); // never read: a write-only read means nothing
    }

    [Fact]
    public void ReadSensitiveArray_IsOneSkippedLine_UnlessExpanded()
    {
        // FIFO[%s]: 8 elements whose read pops the FIFO, 4 bytes apart; one line for all, as a read array is one row.
        string svd = _dir.File("fifo.svd");
        File.WriteAllText(svd, HostileDescriptions.Device(HostileDescriptions.Peripheral("P", 0,
            HostileDescriptions.Register("CTRL", 0) +
            "<register><dim>8</dim><dimIncrement>4</dimIncrement><name>FIFO[%s]</name><addressOffset>0x20</addressOffset><readAction>modifyExternal</readAction>" +
            "<fields><field><name>DATA</name><bitRange>[7:0]</bitRange></field></fields></register>")));
        string file = _dir.Write("fifo.bin", new byte[0x100]);

        CliResult r = CliProcess.Run("regs", file, "--svd", svd);
        Expect.Ok(r);
        string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(": 1 registers read, 8 skipped", lines[0]); // the count is still of registers
        Assert.Contains("skipped FIFO[0..7] at 0x20: read has a side effect (readAction ModifyExternal) (array of 8, stride 0x4)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("FIFO[1]", StringComparison.Ordinal));

        CliResult all = CliProcess.Run("regs", file, "--svd", svd, "--expand-arrays");
        Expect.Ok(all);
        Assert.Contains("skipped FIFO[0] at 0x20: read has a side effect (readAction ModifyExternal)", all.StdOut);
        Assert.Contains("skipped FIFO[7] at 0x3c: read has a side effect (readAction ModifyExternal)", all.StdOut);

        // JSON keeps every element: scripts index them.
        CliResult json = CliProcess.Run("regs", file, "--svd", svd, "--json");
        Expect.Ok(json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.StdOut);
        Assert.Equal(8, doc.RootElement.GetProperty("skipped").GetArrayLength());
    }

    [Fact]
    public void ARegisterOutsideTheTarget_StopsBeforeAnyRead()
    {
        string file = _dir.Write("short.bin", new byte[0x100]); // the PL031's ID registers at 0xfe0 are past its end
        Expect.Error(CliProcess.Run("regs", file, "--svd", RegisterNameTests.Pl031), 1, "pl031.svd", "RTCPeriphID0", "0xfe0", "nothing was read");
    }

    [Fact]
    public void RegisterArrays_AreOneSummaryRow_UnlessExpanded()
    {
        // PL061's GPIODATA[%s] is 256 registers 4 bytes apart: one row, with the first value, the stride and a digest.
        byte[] bytes = new byte[0x1000];
        bytes[0xfe0] = 0x61;
        string zeros = _dir.Write("gpio0.bin", bytes);
        CliResult r = CliProcess.Run("regs", zeros, "--svd", RegisterNameTests.Pl061);
        Expect.Ok(r);
        string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(": 272 registers read, 1 skipped", lines[0]); // 256 elements + 16 others; GPIOIC is write-only
        Assert.Matches(@"^0x0 +GPIODATA\[0\.\.255\] +0x00000000 +array of 256, stride 0x4: all 0x00000000$", lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains("GPIODATA[1]", StringComparison.Ordinal));
        Assert.Matches(@"\n0x400 +GPIODIR +0x00000000 ", r.StdOut);
        Assert.Matches(@"\n0xfe0 +GPIOPeriphID0 +0x00000061 ", r.StdOut); // the guest's checks read these rows
        Assert.True(lines.Length < 80, r.StdOut);

        // Different values: how many, and the last; --expand-arrays lists every element decoded.
        for (int i = 0; i < 256; i++)
        {
            bytes[i * 4] = (byte)(i % 3);
        }

        string varied = _dir.Write("gpio1.bin", bytes);
        CliResult v = CliProcess.Run("regs", varied, "--svd", RegisterNameTests.Pl061);
        Expect.Ok(v);
        Assert.Matches(@"\n0x0 +GPIODATA\[0\.\.255\] +0x00000000 +array of 256, stride 0x4: 3 distinct values, last 0x00000000 \(--expand-arrays lists them\)\n", v.StdOut);

        CliResult all = CliProcess.Run("regs", varied, "--svd", RegisterNameTests.Pl061, "--expand-arrays");
        Expect.Ok(all);
        Assert.Matches(@"\n0x4 +GPIODATA\[1\] +0x00000001 ", all.StdOut);
        Assert.Matches(@"\n0x3fc +GPIODATA\[255\] +0x00000000 ", all.StdOut);
        Assert.DoesNotContain("array of", all.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisterArrays_Json()
    {
        byte[] bytes = new byte[0x1000];
        bytes[4] = 7;
        bytes[0x3fc] = 9;
        string file = _dir.Write("gpio.bin", bytes);
        CliResult r = CliProcess.Run("regs", file, "--svd", RegisterNameTests.Pl061, "--json");
        Expect.Ok(r);
        using var doc = JsonDocument.Parse(r.StdOut);
        JsonElement root = doc.RootElement;
        JsonElement array = Assert.Single(root.GetProperty("arrays").EnumerateArray().ToArray());
        Assert.Equal("GPIODATA[0..255]", array.GetProperty("name").GetString());
        Assert.Equal("GPIODATA", array.GetProperty("array").GetString());
        Assert.Equal((0L, 256, 4L, 32), (array.GetProperty("offset").GetInt64(), array.GetProperty("count").GetInt32(), array.GetProperty("stride").GetInt64(), array.GetProperty("size").GetInt32()));
        Assert.Equal((0UL, 9UL, 3), (array.GetProperty("first").GetUInt64(), array.GetProperty("last").GetUInt64(), array.GetProperty("distinct").GetInt32()));
        Assert.Equal("0x00000009", array.GetProperty("lastHex").GetString());
        Assert.DoesNotContain(root.GetProperty("registers").EnumerateArray(), x => x.GetProperty("name").GetString()!.StartsWith("GPIODATA", StringComparison.Ordinal));

        CliResult all = CliProcess.Run("regs", file, "--svd", RegisterNameTests.Pl061, "--json", "--expand-arrays");
        Expect.Ok(all);
        using var expanded = JsonDocument.Parse(all.StdOut);
        Assert.Empty(expanded.RootElement.GetProperty("arrays").EnumerateArray());
        JsonElement one = expanded.RootElement.GetProperty("registers").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "GPIODATA[1]");
        Assert.Equal((4L, 7UL), (one.GetProperty("offset").GetInt64(), one.GetProperty("value").GetUInt64()));
    }

    [Fact]
    public void NeedsADescription()
    {
        Expect.Error(CliProcess.Run("regs", "sim:edu"), 2, "--svd");
    }
}
