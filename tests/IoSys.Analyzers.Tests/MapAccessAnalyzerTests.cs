namespace IoSys.Analyzers.Tests;

/// <summary>IOSYS001, IOSYS002, IOSYS004, IOSYS005: constant offsets, widths and indexes checked at compile time.</summary>
public sealed class MapAccessAnalyzerTests
{
    private const string Bar = """
        [IoWidthRule(0x00, 0x80, AccessWidths.Bits32)]
        public struct Bar : IIoKnownSize { public static long Size => 0x100; }
        public struct Block : IIoKnownSize { public static long Size { get { return 1 << 6; } } }

        """;

    private static Task Verify(string body) =>
        new AnalyzerTest<MapAccessAnalyzer>(Bar + "public static class C { " + body + " }").RunAsync();

    [Fact]
    public Task OutOfRangeConstantOffsetsOnAKnownSizeMapAreErrors() => Verify("""
        static void M(IoSysMap<Bar> map, byte[] buffer)
        {
            map.Read32({|IOSYS001:0x100|});
            map.Read64({|IOSYS001:0xFC|});
            map.Write32({|IOSYS001:-4|}, 1);
            map.Read<ulong>({|IOSYS001:0x100|});
            map.TryRead32({|IOSYS001:0x200|}, out _);
            map.ReadBytes({|IOSYS001:0x101|}, buffer);
            map.Fill({|IOSYS001:0xF0|}, 0x20, 0);
            map.Slice({|IOSYS001:0x80|}, 0x81);
            map.Poll<uint>({|IOSYS001:0x100|}, static v => v != 0, TimeSpan.FromSeconds(1));
            UnsafeIoSysMap.Read32(map, {|IOSYS001:0x100|});
            map.AsKnownSize<Block>({|IOSYS001:0xC4|});
        }
        """);

    [Fact]
    public Task InRangeConstantOffsetsAreSilent() => Verify("""
        static void M(IoSysMap<Bar> map, byte[] buffer)
        {
            map.Read32(0xFC);
            map.Read64(0xF8);
            map.Write8(0xFF, 1);
            map.ReadBytes(0x100, Span<byte>.Empty);
            map.Fill(0xF0, 0x10, 0);
            map.Slice(0x80, 0x80);
            map.Slice(0x100);
            map.AsKnownSize<Block>(0xC0);
            map.CheckAccess(0x100, 4, write: false); // a query, probing is its purpose
        }
        """);

    [Fact]
    public Task MisalignedConstantOffsetsAreErrors() => Verify("""
        static void M(IoSysMap<Bar> map)
        {
            map.Read32({|IOSYS002:0x82|});
            map.Write16({|IOSYS002:0x83|}, 1);
            map.Read64({|IOSYS002:0x84|});
            map.Read8(0x83);
            map.ReadBytes(0x83, new byte[3]); // bulk: no alignment requirement
            UnsafeIoSysMap.Read32(map, 0x82);  // the raw layer: only the range is checked
        }
        """);

    [Fact]
    public Task ALeaseOnAKnownSizeMapIsCheckedAsTheMapIs() => Verify("""
        static void M(IoSysMap<Bar> map)
        {
            using IoSysMapLease<Bar> lease = map.Lease();
            lease.Read32(0xFC);
            lease.Write64(0x80, 1);
            lease.Read32({|IOSYS001:0x100|});
            lease.Write64({|IOSYS001:0xFC|}, 1);
            lease.Read<uint>({|IOSYS001:-4|});
            lease.Read32({|IOSYS002:0x82|});
            lease.Read16({|IOSYS004:0x10|});
        }
        """);

    [Fact]
    public Task RunTimeWidthAccessesWithAConstantWidthAreCheckedAsTypedOnes() => Verify("""
        static void M(IoSysMap<Bar> map, int width)
        {
            map.Read(0xFC, 4);
            map.Write(0x80, 8, 1);
            map.Read({|IOSYS001:0x100|}, 4);
            map.Write({|IOSYS001:0xFC|}, 8, 1);
            map.Read({|IOSYS002:0x82|}, 4);
            map.Write({|IOSYS004:0x10|}, 2, 0);
            map.Read(0x10, width); // a width known only at run time is checked at run time
        }
        """);

    [Fact]
    public Task SizeIsReadFromAGetterBody() => Verify("""
        static void M(IoSysMap<Block> map)
        {
            map.Read32(0x3C);
            map.Read32({|IOSYS001:0x40|});
        }
        """);

    [Fact]
    public Task RefusedWidthsAreWarnings() => Verify("""
        static void M(IoSysMap<Bar> map)
        {
            map.Read16({|IOSYS004:0x10|});
            map.Write8({|IOSYS004:0x7F|}, 0);
            map.Read64({|IOSYS004:0x78|}); // overlaps the end of the 4-byte-only range
            map.Read32(0x10);
            map.Read16(0x80);
            map.Read64(0x80);
            UnsafeIoSysMap.Read16(map, 0x10); // the raw layer may make refused accesses on purpose
        }
        """);

    [Fact]
    public Task RunTimeOffsetsAndUnknownSizesAreLeftToRunTimeChecks() => Verify("""
        static void M(IoSysMap<Bar> map, IoSysMap plain, long offset, int count)
        {
            map.Read32(offset);
            for (int i = 0; i < count; i++)
            {
                map.Write32(i * 4, 0);
            }

            map.Read16(offset + 0x10);
            plain.Read32(0x1000000);   // size unknown at compile time
            plain.Read32(0x3);         // alignment rules of a plain map are not known
            IoSysMap<Bar> known = map;
            ((IoSysMap)known).Read32(0x100); // statically a plain map
        }
        """);

    [Fact]
    public Task SizeFromAConstantElsewhereIsKnown() =>
        new AnalyzerTest<MapAccessAnalyzer>("""
            public static class K { public const long BarSize = 0x10_0000; public const long ControlEnd = 0x80; }
            [IoWidthRule(0, K.ControlEnd, AccessWidths.Bits32)]
            public struct Sized : IIoKnownSize { public static long Size => K.BarSize; }
            public static class C
            {
                static void M(IoSysMap<Sized> map)
                {
                    map.Read64(0xF_FFF8);
                    map.Read64({|IOSYS001:K.BarSize|});
                    map.Read64({|IOSYS004:K.ControlEnd - 8|});
                }
            }
            """).RunAsync();

    [Fact]
    public Task SizeThatIsNotAConstantExpressionIsUnknown() =>
        new AnalyzerTest<MapAccessAnalyzer>("""
            public struct Sized : IIoKnownSize { public static long Size => Environment.ProcessorCount * 4096L; }
            public static class C { static void M(IoSysMap<Sized> map) => map.Read32(0x10000000); }
            """).RunAsync();

    [Fact]
    public Task RegisterBlocksAreKnownSizes() =>
        new AnalyzerTest<MapAccessAnalyzer>("""
            [RegisterBlock(0x40, StrictWidths = true)]
            public partial struct Regs
            {
                [Register(0x04, RegisterAccess.RW)]
                public readonly partial struct Control { [Bits(0)] public partial bool Enable { get; } }

                [Register(0x10, RegisterAccess.RW, Count = 4, Stride = 4)]
                public readonly partial struct Channel { [Bits(7, 0)] public partial byte Level { get; } }
            }

            public static class C
            {
                static void M(IoSysMap map, int index)
                {
                    IoSysMap<Regs> regs = map.AsKnownSize<Regs>();
                    regs.Read32({|IOSYS001:0x40|});
                    regs.Read16({|IOSYS004:0x04|}); // the generated [IoWidthRule]: Control is 32-bit only
                    regs.Read16(0x08);
                    Regs.Channel.Read(map, 3);
                    Regs.Channel.Read(map, {|IOSYS005:4|});
                    Regs.Channel.Write(regs, {|IOSYS005:-1|}, default);
                    Regs.Channel.Update(map, {|IOSYS005:9|}, static c => c);
                    Regs.Channel.OffsetOf({|IOSYS005:4|});
                    Regs.Channel.Read(map, index);
                    Regs.Control.Read(regs);
                }
            }
            """).RunAsync();

    [Fact]
    public Task AnyParameterMarkedIoOffsetIsChecked() =>
        new AnalyzerTest<MapAccessAnalyzer>(Bar + """
            public static unsafe class Ext
            {
                public static uint Peek(this IoSysMap<Bar> map, [IoOffset(4)] long at) => map.Read32(at);
                public static ulong Get(IoSysMap<Bar> map, [IoOffset(WidthParameter = nameof(size))] long at, int size) => map.Read(at, size);
                public static void Clear(IoSysMap<Bar> map, [IoOffset(LengthParameter = nameof(bytes))] long at, long bytes) => map.Fill(at, bytes, 0);
                public static uint NotMarked(this IoSysMap<Bar> map, long offset) => 0; // named "offset", but not marked

                static void M(IoSysMap<Bar> map, byte* pointer)
                {
                    map.Peek(0xFC);
                    map.Peek({|IOSYS001:0x100|});
                    map.Peek({|IOSYS002:0x82|});
                    map.Peek({|IOSYS003:(long)pointer|});
                    Get(map, {|IOSYS004:0x10|}, 2);
                    Get(map, 0x10, 4);
                    Clear(map, {|IOSYS001:0xF8|}, 0x10);
                    Clear(map, 0xF0, 0x10);
                    map.NotMarked(0x1000);
                    map.NotMarked((long)pointer);
                }
            }
            """).RunAsync();

    [Fact]
    public Task CopyToChecksEachOffsetAgainstItsOwnMap() =>
        new AnalyzerTest<MapAccessAnalyzer>(Bar + """
            public struct Big : IIoKnownSize { public static long Size => 0x1000; }
            public static class C
            {
                static void M(IoSysMap<Bar> small, IoSysMap<Big> big)
                {
                    big.CopyTo(0x800, small, 0xF0, 0x10);
                    small.CopyTo(0xF0, big, 0x800, 0x10);
                    big.CopyTo(0x800, small, {|IOSYS001:0xF8|}, 0x10);
                    small.CopyTo({|IOSYS001:0xF8|}, big, 0x800, 0x10);
                }
            }
            """).RunAsync();
}
