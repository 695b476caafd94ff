using IoSys.Cli.Output;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Tests;

/// <summary>In-process tests of the parsing and formatting pieces (fast; the E2E suites cover the wiring).</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("0x10", 16UL)]
    [InlineData("0X1F", 31UL)]
    [InlineData("42", 42UL)]
    [InlineData("0b1010", 10UL)]
    [InlineData("0xdead_beef", 0xdeadbeefUL)]
    [InlineData("1_000", 1000UL)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    public void ParseValue(string text, ulong expected) => Assert.Equal(expected, NumberParser.ParseValue(text, "value"));

    [Theory]
    [InlineData("4K", 4096L)]
    [InlineData("4k", 4096L)]
    [InlineData("1M", 1L << 20)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("0x10K", 16L << 10)]
    [InlineData("2G", 2L << 30)]
    public void ParseLength_Suffixes(string text, long expected) => Assert.Equal(expected, NumberParser.ParseLength(text));

    [Theory]
    [InlineData("4K")]
    [InlineData("0x")]
    [InlineData("_1")]
    [InlineData("0b2")]
    [InlineData("18446744073709551616")]
    public void ParseValue_Rejects(string text) => Assert.Throws<UsageException>(() => NumberParser.ParseValue(text, "value"));

    [Fact]
    public void ParseValue_Width()
    {
        Assert.Equal(0xffUL, NumberParser.ParseValue("0xff", "value", 8));
        UsageException e = Assert.Throws<UsageException>(() => NumberParser.ParseValue("0x1ff", "value", 8));
        Assert.Contains("0x1ff", e.Message);
        Assert.Contains("8 bits", e.Message);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2000)]
    [InlineData("1.5", 1500)]
    [InlineData("1m", 60_000)]
    public void ParseDuration(string text, int ms) => Assert.Equal(TimeSpan.FromMilliseconds(ms), NumberParser.ParseDuration(text, "t"));

    [Theory]
    [InlineData("/tmp/x", "File", "/tmp/x", 0)]
    [InlineData("file:/tmp/x", "File", "/tmp/x", 0)]
    [InlineData("relative.bin", "File", "relative.bin", 0)]
    [InlineData("shm:demo", "SharedMemory", "demo", 0)]
    [InlineData("shm:/demo", "SharedMemory", "demo", 0)]
    [InlineData("pci:0000:00:04.0", "Pci", "0000:00:04.0", 0)]
    [InlineData("pci:00:04.0/bar2", "Pci", "0000:00:04.0", 2)]
    [InlineData("pci:1AF4:1110/bar2", "Pci", "1af4:1110", 2)]
    [InlineData("pci:1234:11e8#1", "Pci", "1234:11e8#1", 0)]
    [InlineData("pci:00:04.0/config", "PciConfig", "0000:00:04.0", 0)]
    [InlineData("pci:1234:11e8/CONFIG", "PciConfig", "1234:11e8", 0)]
    [InlineData("uio:0", "Uio", "0", 0)]
    [InlineData("uio:uio1/map3", "Uio", "1", 3)]
    [InlineData("uio:edu/map1", "Uio", "edu", 1)]
    [InlineData("sim:edu", "Simulated", "edu", 0)]
    public void TargetSpec_Parses(string text, string kind, string name, int index)
    {
        TargetSpec spec = TargetSpec.Parse(text);
        Assert.Equal(kind, spec.Kind.ToString());
        Assert.Equal(name, spec.Name);
        Assert.Equal(index, spec.Index);
    }

    [Fact]
    public void TargetSpec_Mem()
    {
        TargetSpec spec = TargetSpec.Parse("mem:0xfe000000+4K");
        Assert.Equal(TargetKind.PhysicalMemory, spec.Kind);
        Assert.Equal(0xfe000000UL, spec.Address);
        Assert.Equal(4096, spec.Length);
        Assert.Throws<UsageException>(() => TargetSpec.Parse("mem:0xffffffffffffffff+2"));
    }

    [Theory]
    [InlineData(0x10000edUL, 4, "Hex", "0x010000ed")]
    [InlineData(0xaUL, 1, "Hex", "0x0a")]
    [InlineData(5UL, 1, "Bin", "0b00000101")]
    [InlineData(ulong.MaxValue, 8, "Dec", "18446744073709551615")]
    [InlineData(ulong.MaxValue, 8, "Bin", "0b1111111111111111111111111111111111111111111111111111111111111111")]
    public void Format(ulong value, int width, string format, string expected) =>
        Assert.Equal(expected, ValueFormatter.Format(value, width, Enum.Parse<ValueFormat>(format)));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(4099)]
    public void HexDump_ChunkingDoesNotChangeTheOutput(int chunk)
    {
        byte[] data = DumpTests.TrickyData(9)[..20_000];
        string whole = Dump(data, data.Length, 0x30);
        Assert.Equal(whole, Dump(data, chunk, 0x30));
        Assert.StartsWith("00000030  ", whole);
    }

    [Fact]
    public void HexDump_OffsetsPast32Bits_Widen()
    {
        string text = Dump([0x41], 1, 0x1_0000_0000);
        Assert.Equal("100000000  41                                                |A|\n100000001\n", text);
    }

    private static string Dump(byte[] data, int chunk, long start)
    {
        using var stream = new MemoryStream();
        var writer = new HexDumpWriter(stream, start, 4096);
        for (int i = 0; i < data.Length; i += chunk)
        {
            writer.Write(data.AsSpan(i, Math.Min(chunk, data.Length - i)));
        }

        writer.Finish(data.Length > 0);
        return System.Text.Encoding.ASCII.GetString(stream.ToArray());
    }
}
