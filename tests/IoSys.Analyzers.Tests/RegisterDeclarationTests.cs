using Microsoft.CodeAnalysis.Testing;

namespace IoSys.Analyzers.Tests;

/// <summary>IOSYS006-009: register block declarations.</summary>
public sealed class RegisterDeclarationTests
{
    private static Task Verify(string source)
    {
        var test = new AnalyzerTest<RegisterDeclarationAnalyzer>(source);

        // Invalid declarations also make generated code fail to compile; only the analyzer's diagnostics are checked here.
        test.CompilerDiagnostics = CompilerDiagnostics.None;
        return test.RunAsync();
    }

    [Fact]
    public Task ValidBlockIsSilent() => Verify("""
        public enum Mode : byte { A, B, C }
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [Register(0x00, RegisterAccess.RO, Reset = 0xFFFFFFFF)]
            public readonly partial struct Id { [Bits(31, 24)] public partial byte Major { get; } [Bits(0)] public partial bool Ok { get; } [Bits(3, 1)] public partial Mode Mode { get; } }

            [Register(0xF8, RegisterAccess.RW, Width = 64)]
            public readonly partial struct Last { [Bits(63, 0)] public partial ulong All { get; } }

            [Register(0x80, RegisterAccess.RW, Count = 8, Stride = 8)]
            public readonly partial struct Array { [Bits(15, 0)] public partial ushort Value { get; } }
        }
        """);

    [Fact]
    public Task RegistersOutsideTheBlockAreErrors() => Verify("""
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [{|IOSYS006:Register(0x100, RegisterAccess.RW)|}]
            public readonly partial struct Past { }

            [{|IOSYS006:Register(0xF8, RegisterAccess.RW, Width = 64, Count = 2)|}]
            public readonly partial struct Straddles { }

            [{|IOSYS006:Register(0xC0, RegisterAccess.RW, Count = 9, Stride = 8)|}]
            public readonly partial struct LongArray { }
        }
        """);

    [Fact]
    public Task MisalignedRegistersAreErrors() => Verify("""
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [{|IOSYS007:Register(0x02, RegisterAccess.RW)|}]
            public readonly partial struct Odd { }

            [{|IOSYS007:Register(0x40, RegisterAccess.RW, Count = 2, Stride = 6)|}]
            public readonly partial struct OddStride { }

            [Register(0x11, RegisterAccess.RW, Width = 8)]
            public readonly partial struct Byte { }
        }
        """);

    [Fact]
    public Task InvalidFieldsAreErrors() => Verify("""
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [Register(0x00, RegisterAccess.RW, Width = 16)]
            public readonly partial struct R
            {
                [{|IOSYS008:Bits(16, 9)|}] public partial byte Beyond { get; }
                [{|IOSYS008:Bits(2, 1)|}] public partial bool TwoBits { get; }
                [{|IOSYS008:Bits(8, 0)|}] public partial byte TooNarrow { get; }
                [{|IOSYS008:Bits(3, 5)|}] public partial byte Reversed { get; }
                [{|IOSYS008:Bits(15)|}] public partial string Text { get; }
                [Bits(12, 10)] public partial byte Fine { get; }
                [{|IOSYS008:Bits(11)|}] public partial bool Overlaps { get; }
            }
        }
        """);

    [Fact]
    public Task FieldsNamedLikeGeneratedMembersAreErrors() => Verify("""
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [Register(0x00, RegisterAccess.RW)]
            public readonly partial struct R
            {
                [Bits(7, 0)] public partial byte {|IOSYS008:Width|} { get; }
                [Bits(8)] public partial bool {|IOSYS008:Access|} { get; }
                [Bits(15, 9)] public partial byte Count { get; }
            }

            [Register(0x10, RegisterAccess.RW, Count = 2)]
            public readonly partial struct A { [Bits(3, 0)] public partial byte {|IOSYS008:Count|} { get; } }
        }
        """);

    [Fact]
    public Task InvalidDeclarationsAreErrors() => Verify("""
        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [{|IOSYS009:Register(0x00, RegisterAccess.RW, Width = 12)|}]
            public readonly partial struct Twelve { }

            [{|IOSYS009:Register(0x10, RegisterAccess.RW, Count = 2, Stride = 2)|}]
            public readonly partial struct Overlapping { }

            [{|IOSYS009:Register(0x20, RegisterAccess.RW, Width = 8, Reset = 0x100)|}]
            public readonly partial struct ResetTooWide { }

            [Register(0x30, RegisterAccess.RW)]
            public readonly struct {|IOSYS009:NotPartial|} { }

            [Register(0x40, RegisterAccess.RW)]
            public readonly partial struct Field { [Bits(0)] public bool {|IOSYS009:NotPartial|} => true; }
        }

        public partial struct NotABlock
        {
            [{|IOSYS009:Register(0x00, RegisterAccess.RW)|}]
            public readonly partial struct Orphan { }
        }
        """);
}
