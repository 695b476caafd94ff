using IoSys.Registers;

namespace IoSys.Analyzers.Tests;

/// <summary>
/// IoSys's shared register accessors (RegisterAccessExtensions) on what the generator does not make: a register type
/// implemented by hand that is not just its raw value, a width that is not a register width, and the element checks of
/// an array.
/// </summary>
public sealed class RegisterAccessExtensionsTests : IDisposable
{
    private readonly IoSysMap _map = IoSysMap.Allocate(0x100);

    public void Dispose() => _map.Dispose();

    [Fact]
    public void ATypeThatIsNotItsRawValueGoesThroughFromRawAndRawBits()
    {
        // 32-bit register, 8-byte type: reinterpreting would be wrong, so the accessors convert.
        _map.Write32(0x10, 0xAABB_CCDD);
        Tagged read = Tagged.Read(_map);
        Assert.Equal(0xAABB_CCDDu, read.Value);
        Assert.Equal(Tagged.FromRawTag, read.Tag);

        Tagged.Write(_map, new Tagged(0x1234_5678, 0));
        Assert.Equal(0x1234_5678u, _map.Read32(0x10));
        Assert.Equal(0u, _map.Read32(0x14)); // one 32-bit access, the tag is not written
        Tagged.Update(_map, static t => new Tagged(t.Value + 1, 0));
        Assert.Equal(0x1234_5679u, _map.Read32(0x10));
    }

    [Fact]
    public void AWidthThatIsNotARegisterWidthIsRefusedWithoutAnAccess()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Odd.Read(_map));
        Assert.Contains("Odd.Width is 12", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidOperationException>(() => Odd.Write(_map, default));
        Assert.Contains("8, 16, 32 or 64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayElementsAreCheckedAgainstCount()
    {
        // Indexes computed at run time: a constant one out of range does not compile (IOSYS005, seen in this build).
        IoSysMap<TestBlock> regs = _map.AsKnownSize<TestBlock>();
        int four = 4, minusOne = -1, min = int.MinValue;
        Assert.Equal(0x40L + (3 * 8), TestBlock.Channel.OffsetOf(3));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TestBlock.Channel.Read(regs, four));
        Assert.Equal("index", error.ParamName);
        Assert.Contains("Channel has 4 elements", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TestBlock.Channel.Write(_map, minusOne, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestBlock.Channel.OffsetOf(min));
    }

    [Fact]
    public void UpdateRefusesANullDelegateBeforeAnyAccess()
    {
        var error = Assert.Throws<ArgumentNullException>(() => TestBlock.Control.Update(_map, null!));
        Assert.Equal("update", error.ParamName);
    }

    [Fact]
    public void TheMapsChecksStillApply()
    {
        // A window too small for the register: the map's own range check throws, naming the offset.
        using IoSysMap small = IoSysMap.Allocate(0x08);
        var error = Assert.Throws<IoAccessException>(() => Tagged.Read(small));
        Assert.Contains("0x10", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A hand implementation that carries more than its raw value (8 bytes for a 32-bit register).</summary>
    private readonly struct Tagged(uint value, uint tag) : IReadWriteRegister<Tagged>
    {
        public const uint FromRawTag = 0xFEED;

        public uint Value { get; } = value;

        public uint Tag { get; } = tag;

        static long IRegister<Tagged>.Offset => 0x10;

        static int IRegister<Tagged>.Width => 32;

        static RegisterAccess IRegister<Tagged>.Access => RegisterAccess.RW;

        static Tagged IRegister<Tagged>.ResetValue => default;

        ulong IRegister<Tagged>.RawBits => Value;

        static Tagged IRegister<Tagged>.FromRaw(ulong raw) => new((uint)raw, FromRawTag);
    }

    /// <summary>A hand implementation with a width no access has.</summary>
    private readonly struct Odd : IReadWriteRegister<Odd>
    {
        static long IRegister<Odd>.Offset => 0;

        static int IRegister<Odd>.Width => 12;

        static RegisterAccess IRegister<Odd>.Access => RegisterAccess.RW;

        static Odd IRegister<Odd>.ResetValue => default;

        ulong IRegister<Odd>.RawBits => 0;

        static Odd IRegister<Odd>.FromRaw(ulong raw) => default;
    }
}
