using IoSys.Registers.Descriptions;

namespace IoSys.Registers.Tests;

public class RegisterCodecTests
{
    private static readonly PeripheralDescription Uart = SvdText.Peripheral(
        """
        <register><name>CR</name><addressOffset>0x30</addressOffset><resetValue>0x300</resetValue><fields>
          <field><name>UARTEN</name><bitOffset>0</bitOffset></field>
          <field><name>WLEN</name><bitRange>[6:5]</bitRange><enumeratedValues>
            <enumeratedValue><name>Bits5</name><value>0</value></enumeratedValue>
            <enumeratedValue><name>Bits8</name><value>3</value></enumeratedValue>
            <enumeratedValue><name>Other</name><isDefault>true</isDefault></enumeratedValue>
          </enumeratedValues></field>
          <field><name>TXE</name><bitOffset>8</bitOffset></field>
          <field><name>BUSY</name><bitOffset>9</bitOffset><access>read-only</access></field>
          <field><name>MODE</name><bitRange>[13:12]</bitRange>
            <enumeratedValues><usage>read</usage><enumeratedValue><name>Idle</name><value>0</value></enumeratedValue></enumeratedValues>
            <enumeratedValues><usage>write</usage><enumeratedValue><name>Go</name><value>2</value></enumeratedValue><enumeratedValue><name>8BIT</name><value>1</value></enumeratedValue></enumeratedValues>
          </field>
        </fields></register>
        <register><name>FR</name><addressOffset>0x18</addressOffset><access>read-only</access><fields><field><name>TXFE</name><bitOffset>7</bitOffset></field></fields></register>
        <register><name>ICR</name><addressOffset>0x44</addressOffset><access>write-only</access><fields><field><name>RXIC</name><bitOffset>4</bitOffset></field><field><name>TXIC</name><bitOffset>5</bitOffset></field></fields></register>
        <register><name>DR</name><addressOffset>0x0</addressOffset><readAction>modifyExternal</readAction><fields><field><name>DATA</name><bitRange>[7:0]</bitRange></field><field><name>FE</name><bitOffset>8</bitOffset></field></fields></register>
        <register><name>ISR</name><addressOffset>0x50</addressOffset><fields>
          <field><name>EN</name><bitOffset>0</bitOffset></field>
          <field><name>DONE</name><bitOffset>1</bitOffset><modifiedWriteValues>oneToClear</modifiedWriteValues></field>
          <field><name>NBUSY</name><bitOffset>2</bitOffset><modifiedWriteValues>zeroToClear</modifiedWriteValues></field>
          <field><name>KEY</name><bitOffset>3</bitOffset><access>write-only</access></field>
        </fields></register>
        <register><name>W64</name><addressOffset>0x60</addressOffset><size>64</size><fields><field><name>ALL</name><bitRange>[63:0]</bitRange></field></fields></register>
        <register><name>NOF</name><addressOffset>0x70</addressOffset><size>16</size></register>
        <cluster><dim>2</dim><dimIncrement>0x10</dimIncrement><name>CH[%s]</name><addressOffset>0x100</addressOffset>
          <register><name>CTL</name><addressOffset>0x4</addressOffset><fields><field><name>ON</name><bitOffset>0</bitOffset></field></fields></register>
        </cluster>
        """);

    private static RegisterDescription Reg(string name) => Uart.FindRegister(name)!.Register;

    [Fact]
    public void Decode_splits_a_value_into_fields_with_enumerated_meanings()
    {
        IReadOnlyList<DecodedField> fields = RegisterCodec.Decode(Reg("CR"), 0x1_0361);

        Assert.Equal(
            new[] { ("UARTEN", 1UL, (string?)null), ("WLEN", 3UL, "Bits8"), ("TXE", 1UL, null), ("BUSY", 1UL, null), ("MODE", 0UL, "Idle") },
            fields.Select(f => (f.Field.Name, f.Value, f.Meaning?.Name)));
        Assert.Equal("WLEN[6:5] = 0x3 (Bits8)", fields[1].ToString());
        Assert.Equal("Other", RegisterCodec.Decode(Reg("CR"), 0x20)[1].Meaning!.Name);
        Assert.Null(RegisterCodec.Decode(Reg("CR"), 0x1000)[4].Meaning);
    }

    [Fact]
    public void Decode_of_64_bit_registers_keeps_every_bit()
    {
        Assert.Equal(ulong.MaxValue, RegisterCodec.Decode(Reg("W64"), ulong.MaxValue)[0].Value);
        Assert.Equal(0x0123_4567_89AB_CDEFUL, RegisterCodec.Decode(Reg("W64"), 0x0123_4567_89AB_CDEFUL)[0].Value);
    }

    [Fact]
    public void A_field_write_is_a_read_modify_write_of_that_field()
    {
        Assert.True(RegisterCodec.TryEncodeField(Reg("CR"), "WLEN", "Bits5", out RegisterWrite? w, out string? error), error);
        Assert.True(w.RequiresRead);
        Assert.Equal((0x60UL, 0x0UL), (w.Mask, w.Value));
        Assert.Equal(0x0301UL, w.Apply(0x0361));
        Assert.Equal("read-modify-write of WLEN[6:5]: mask 0x60, value 0x0", w.ToString());

        RegisterWrite byNumber = RegisterCodec.EncodeField(Reg("CR"), "wlen", "0b10");
        Assert.Equal(0x0341UL, byNumber.Apply(0x0301));
        Assert.Equal(0x0001UL, RegisterCodec.EncodeField(Reg("CR"), "UARTEN", "1").Apply(0));
        Assert.Equal(0x2000UL, RegisterCodec.EncodeField(Reg("CR"), "MODE", "Go").Apply(0));
        Assert.Equal(0x1000UL, RegisterCodec.EncodeField(Reg("CR"), "MODE", "8BIT").Apply(0));
    }

    [Fact]
    public void A_field_write_does_not_write_back_bits_whose_write_acts()
    {
        RegisterWrite w = RegisterCodec.EncodeField(Reg("ISR"), "EN", "1");
        // DONE (write 1 to clear) is written 0, NBUSY (write 0 to clear) 1, the write-only KEY 0; nothing else changes.
        Assert.Equal((0x0UL, 0x4UL), (w.PreserveMask & 0xF & ~1UL, w.ForcedOnes));
        Assert.Equal(0x5UL, w.Apply(0xF));
        Assert.Equal(0xF0_05UL, w.Apply(0xF0_0E));
    }

    [Theory]
    [InlineData("CR", "NOPE", "1", "register CR has no field 'NOPE'; it has UARTEN, WLEN, TXE, BUSY, MODE")]
    [InlineData("CR", "BUSY", "1", "field CR.BUSY[9] is read-only")]
    [InlineData("FR", "TXFE", "1", "register FR is read-only")]
    [InlineData("CR", "WLEN", "4", "value 0x4 does not fit field WLEN[6:5]: 2 bit(s), at most 0x3")]
    [InlineData("CR", "UARTEN", "0x1FFFFFFFFFFFFFFFF", "'0x1FFFFFFFFFFFFFFFF' is not a number")]
    [InlineData("CR", "WLEN", "Bits9", "'Bits9' is not a number, and field WLEN has no value of that name; it has Bits5, Bits8")]
    [InlineData("CR", "WLEN", "Other", "has no value of that name")]
    [InlineData("CR", "MODE", "Idle", "it has Go, 8BIT")]
    [InlineData("CR", "UARTEN", "yes", "field UARTEN has no named values")]
    [InlineData("CR", "UARTEN", "", "no value given for field UARTEN")]
    [InlineData("CR", "UARTEN", "#1x", "'#1x' is not a number")]
    [InlineData("ICR", "RXIC", "1", "register ICR is write-only: writing field RXIC alone would need a read-modify-write; write the whole register (ICR=VALUE)")]
    [InlineData("DR", "DATA", "0x41", "reading register DR has a side effect (readAction ModifyExternal)")]
    [InlineData("NOF", "X", "1", "register NOF has no fields; write it whole (NOF=VALUE)")]
    public void Field_writes_that_cannot_be_done_are_refused_with_the_reason(string register, string field, string value, string expected)
    {
        Assert.False(RegisterCodec.TryEncodeField(Reg(register), field, value, out RegisterWrite? w, out string? error));
        Assert.Null(w);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        ArgumentException e = Assert.Throws<ArgumentException>(() => RegisterCodec.EncodeField(Reg(register), field, value));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whole_register_writes_need_no_read_and_must_fit()
    {
        Assert.True(RegisterCodec.TryEncodeRegister(Reg("ICR"), "0x30", out RegisterWrite? w, out _));
        Assert.False(w.RequiresRead);
        Assert.Equal(0x30UL, w.Apply(0xFFFF_FFFF));
        Assert.Equal("write of ICR: value 0x30", w.ToString());

        Assert.False(RegisterCodec.TryEncodeRegister(Reg("NOF"), "0x10000", out _, out string? error));
        Assert.Equal("value 0x10000 does not fit register NOF: 16 bits", error);
        Assert.False(RegisterCodec.TryEncodeRegister(Reg("FR"), "0", out _, out error));
        Assert.Equal("register FR is read-only", error);
        Assert.False(RegisterCodec.TryEncodeRegister(Reg("NOF"), "Go", out _, out error));
        Assert.Contains("not a number", error, StringComparison.Ordinal);
        Assert.True(RegisterCodec.TryEncodeRegister(Reg("W64"), "0xFFFFFFFFFFFFFFFF", out w, out _));
        Assert.Equal(ulong.MaxValue, w.Apply(0));
    }

    [Fact]
    public void Names_resolve_to_registers_fields_array_elements_and_cluster_paths()
    {
        Assert.True(RegisterCodec.TryResolve(Uart, "CR", out RegisterInstance? r, out FieldDescription? f, out _));
        Assert.Equal(("CR", 0x30UL), (r.Path, r.Offset));
        Assert.Null(f);

        Assert.True(RegisterCodec.TryResolve(Uart, "CR.UARTEN", out r, out f, out _));
        Assert.Equal(("CR", "UARTEN"), (r.Path, f!.Name));

        Assert.True(RegisterCodec.TryResolve(Uart, " ch[1].ctl.on ", out r, out f, out _));
        Assert.Equal(("CH[1].CTL", 0x114UL, "ON"), (r.Path, r.Offset, f!.Name));

        Assert.False(RegisterCodec.TryResolve(Uart, "CR.NOPE", out _, out _, out string? error));
        Assert.Equal("register CR of P has no field 'NOPE'; it has UARTEN, WLEN, TXE, BUSY, MODE", error);
        Assert.False(RegisterCodec.TryResolve(Uart, "CH[2].CTL", out _, out _, out error));
        Assert.StartsWith("P has no register 'CH[2].CTL'; it has CR, FR, ICR, DR, ISR, W64, NOF, CH[0].CTL, CH[1].CTL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Assignments_parse_into_register_and_field_writes()
    {
        Assert.True(RegisterCodec.TryParseAssignment(Uart, "CR.UARTEN=1", out RegisterInstance? r, out RegisterWrite? w, out string? error), error);
        Assert.Equal(("CR", 0x30UL, "UARTEN", true), (r.Path, r.Offset, w.Field!.Name, w.RequiresRead));

        Assert.True(RegisterCodec.TryParseAssignment(Uart, "CH[0].CTL=0x1", out r, out w, out error), error);
        Assert.Equal((0x104UL, false), (r.Offset, w.RequiresRead));

        Assert.False(RegisterCodec.TryParseAssignment(Uart, "CR.UARTEN", out r, out w, out error));
        Assert.Equal(("'CR.UARTEN' is not an assignment NAME=VALUE", (RegisterInstance?)null, (RegisterWrite?)null), (error, r, w));
        Assert.False(RegisterCodec.TryParseAssignment(Uart, "=1", out _, out _, out _));
        Assert.False(RegisterCodec.TryParseAssignment(Uart, "CR.WLEN=9", out r, out _, out error));
        Assert.Null(r);
        Assert.Contains("does not fit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookups_prefer_exact_case_and_refuse_ambiguous_case_folds()
    {
        PeripheralDescription p = SvdText.Peripheral(
            "<register><name>ab</name><addressOffset>0</addressOffset></register><register><name>AB</name><addressOffset>4</addressOffset></register>");
        Assert.Equal(0UL, p.FindRegister("ab")!.Offset);
        Assert.Equal(4UL, p.FindRegister("AB")!.Offset);
        Assert.Null(p.FindRegister("Ab"));
    }
}
