using System.Diagnostics;
using System.Text;

namespace IoSys.Cli.Tests;

/// <summary>
/// Description files that are wrong or hostile (not XML, a DTD with entity expansion, a FIFO, too big, deeply nested,
/// errors at a known line, control characters in names): the tool must refuse each with one clear line naming the
/// file, in bounded time, and print hostile names escaped.
/// </summary>
public sealed class HostileDescriptions : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string Device(string peripherals) =>
        $"<?xml version=\"1.0\"?>\n<device><name>T</name><addressUnitBits>8</addressUnitBits><width>32</width><size>32</size><peripherals>{peripherals}</peripherals></device>\n";

    internal static string Peripheral(string name, ulong baseAddress, string registers) =>
        $"<peripheral><name>{name}</name><baseAddress>0x{baseAddress:x}</baseAddress><addressBlock><offset>0</offset><size>0x100</size><usage>registers</usage></addressBlock><registers>{registers}</registers></peripheral>";

    internal static string Register(string name, int offset, string extra = "") =>
        $"<register><name>{name}</name><addressOffset>0x{offset:x}</addressOffset>{extra}<fields><field><name>LOW</name><bitRange>[7:0]</bitRange></field></fields></register>";

    private CliResult ReadWith(string svd)
    {
        string file = _dir.Write("regs.bin", new byte[16]);
        var clock = Stopwatch.StartNew();
        CliResult r = CliProcess.Run("read", file, "CTRL", "--svd", svd);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        return r;
    }

    [Fact]
    public void NotXml()
    {
        string svd = _dir.File("junk.svd");
        File.WriteAllBytes(svd, Expect.Bytes(4096, 3));
        Expect.Error(ReadWith(svd), 1, "junk.svd", "not well-formed");
    }

    [Fact]
    public void Dtd_WithEntityExpansion_IsRefused()
    {
        // A "billion laughs": with DTD processing off it is refused before any entity expands.
        var text = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE device [\n<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaa\">\n");
        for (int i = 1; i < 12; i++)
        {
            text.Append($"<!ENTITY {(char)('a' + i)} \"{string.Concat(Enumerable.Repeat($"&{(char)('a' + i - 1)};", 10))}\">\n");
        }

        text.Append("]>\n<device><name>&l;</name></device>\n");
        string svd = _dir.File("laughs.svd");
        File.WriteAllText(svd, text.ToString());
        Expect.Error(ReadWith(svd), 1, "laughs.svd", "DTD");
    }

    [Fact]
    public void Fifo_IsRefusedWithoutBlocking()
    {
        string fifo = _dir.File("desc.svd");
        using (Process mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        Expect.Error(ReadWith(fifo), 1, "desc.svd", "FIFO");
    }

    [Fact]
    public void DirectoryAndDevice_AreRefused()
    {
        Expect.Error(ReadWith(_dir.Path), 1, _dir.Path);
        Expect.Error(ReadWith("/dev/zero"), 1, "/dev/zero");
        Expect.Error(ReadWith(_dir.File("missing.svd")), 1, "missing.svd");
    }

    [Fact]
    public void TooBig_IsRefusedBeforeItIsRead()
    {
        string svd = _dir.File("huge.svd");
        using (var f = new FileStream(svd, FileMode.CreateNew))
        {
            f.SetLength((64L << 20) + 1); // sparse: no disk used
        }

        Expect.Error(ReadWith(svd), 1, "huge.svd", "limit");
    }

    [Fact]
    public void DeeplyNested_IsBoundedAndClear()
    {
        string svd = _dir.File("deep.svd");
        const int depth = 200_000;
        File.WriteAllText(svd, "<?xml version=\"1.0\"?>\n<device><name>T</name>" + string.Concat(Enumerable.Repeat("<x>", depth)) + string.Concat(Enumerable.Repeat("</x>", depth)) + "</device>");
        // Refused by a streaming pass before the description is built (building it would take minutes).
        Expect.Error(ReadWith(svd), 1, "deep.svd(2,", "nested deeper than 64");
    }

    [Fact]
    public void ErrorsInTheFile_NameLineAndElement()
    {
        string svd = _dir.File("bad.svd");
        File.WriteAllText(svd, Device(Peripheral("P", 0, "\n" + Register("CTRL", 0) + "\n<register><name>BAD</name><addressOffset>zz</addressOffset></register>")));
        Expect.Error(ReadWith(svd), 1, "bad.svd(4,", "SVD005", "addressOffset");
    }

    [Fact]
    public void HostileNames_AreEscaped()
    {
        string svd = _dir.File("esc.svd");
        // XML forbids C0 controls even as references; a bidirectional override and a C1 control are allowed.
        File.WriteAllText(svd, Device(Peripheral("P", 0, Register("CT\u0085RL\u202e", 0))));
        string file = _dir.Write("regs.bin", new byte[16]);
        CliResult r = CliProcess.Run("regs", file, "--svd", svd);
        Expect.Ok(r);
        Assert.DoesNotContain('\u202e', r.StdOut);
        Assert.DoesNotContain('\u0085', r.StdOut);
        Assert.Contains("CT\\x85RL\\u{202e}", r.StdOut);
        CliResult e = CliProcess.Run("read", file, "NOPE\u001b[2J", "--svd", svd);
        Expect.Error(e, 2, "NOPE\\x1b[2J");
        Assert.DoesNotContain('\u001b', e.StdErr);
    }
}
