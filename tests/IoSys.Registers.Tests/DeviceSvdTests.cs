using System.Reflection;
using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;
using IoSys.Devices.Edu;
using HandRegister = IoSys.Registers.RegisterAttribute;
using HandAccess = IoSys.Registers.RegisterAccess;
using HandBits = IoSys.Registers.BitsAttribute;

namespace IoSys.Registers.Tests;

/// <summary>The SVD files shipped in devices/svd.</summary>
public class DeviceSvdTests
{
    private static PeripheralDescription Read(string file)
    {
        SvdReadResult result = SvdReader.ReadFile(SvdText.Shipped(file));
        Assert.True(result.Diagnostics.Count == 0, result.ToString());
        return Assert.Single(result.Device!.Peripherals);
    }

    [Fact]
    public void Edu_svd_agrees_with_the_hand_declared_EduRegisterBlock()
    {
        PeripheralDescription edu = Read("edu.svd");
        Assert.Equal((ulong)EduRegisters.BarSize, edu.Span);

        Type[] declared = typeof(EduRegisterBlock).GetNestedTypes().Where(t => t.GetCustomAttribute<HandRegister>() is not null).ToArray();
        Assert.Equal(declared.Select(t => t.Name).Order(), edu.Registers.Select(r => r.Path).Order());
        foreach (Type t in declared)
        {
            HandRegister hand = t.GetCustomAttribute<HandRegister>()!;
            RegisterInstance svd = edu.FindRegister(t.Name)!;
            AccessType access = hand.Access switch
            {
                HandAccess.RO => AccessType.ReadOnly,
                HandAccess.WO => AccessType.WriteOnly,
                _ => AccessType.ReadWrite,
            };
            Assert.Equal((t.Name, (ulong)hand.Offset, hand.Width, access, hand.Reset), (t.Name, svd.Offset, svd.Register.Size, svd.Register.Access, svd.Register.ResetValue));

            var handFields = t.GetProperties().Select(p => (p.Name, Bits: p.GetCustomAttribute<HandBits>())).Where(x => x.Bits is not null).Select(x => (x.Name, x.Bits!.Low, x.Bits.High)).Order();
            Assert.Equal(handFields, svd.Register.Fields.Select(f => (f.Name, f.Lsb, f.Msb)).Order());
        }

        // The one field edu's driver must not write: the device owns Status.Computing.
        Assert.False(RegisterCodec.TryEncodeField(edu.FindRegister("Status")!.Register, "Computing", "1", out _, out string? error));
        Assert.Equal("field Status.Computing[0] is read-only", error);
        Assert.Equal("ToRam", RegisterCodec.Decode(edu.FindRegister("DmaCommand")!.Register, 0b011)[1].Meaning!.Name);
        Assert.Equal(0x0000_0000_0000_0007UL, RegisterCodec.EncodeField(edu.FindRegister("DmaCommand")!.Register, "Direction", "ToRam").Apply(0b101));
    }

    [Fact]
    public void Edu_identification_decodes_the_documented_value()
    {
        RegisterDescription id = Read("edu.svd").FindRegister("Identification")!.Register;
        Assert.Equal(new[] { 1UL, 0UL, 0xEDUL }, RegisterCodec.Decode(id, id.ResetValue).Select(f => f.Value));
    }

    public static TheoryData<string, string, uint, uint, uint> PrimeCells => new()
    {
        // file, register prefix, part number, base address (QEMU virt), PeriphID0..3 measured on QEMU (REFERENCE.md §10)
        { "pl011.svd", "UART", 0x011, 0x09000000, 0x00141011 },
        { "pl031.svd", "RTC", 0x031, 0x09010000, 0x00141031 },
        { "pl061.svd", "GPIO", 0x061, 0x09030000, 0x00041061 },
    };

    [Theory]
    [MemberData(nameof(PrimeCells))]
    public void PrimeCell_ids_decode_as_ARM_documents_them(string file, string prefix, uint part, uint baseAddress, uint measured)
    {
        PeripheralDescription p = Read(file);
        Assert.Equal((ulong)baseAddress, p.BaseAddress);
        Assert.Equal(0x1000UL, p.Span);

        // The documented reset values: part number, designer 0x41 (ARM), configuration 0.
        ulong Reset(string name) => p.FindRegister(prefix + name)!.Register.ResetValue;
        RegisterInstance id0 = p.FindRegister(prefix + "PeriphID0")!;
        Assert.Equal(0xFE0UL, id0.Offset);
        Assert.Equal(AccessType.ReadOnly, id0.Register.Access);
        ulong partNumber = Reset("PeriphID0") | ((Reset("PeriphID1") & 0xF) << 8);
        ulong designer = (Reset("PeriphID1") >> 4) | ((Reset("PeriphID2") & 0xF) << 4);
        Assert.Equal(((ulong)part, 0x41UL, 0UL), (partNumber, designer, Reset("PeriphID3")));
        Assert.Equal(0xB105F00DUL, Reset("PCellID0") | (Reset("PCellID1") << 8) | (Reset("PCellID2") << 16) | (Reset("PCellID3") << 24));
        Assert.Equal(new ulong[] { 0xFF0, 0xFF4, 0xFF8, 0xFFC }, new[] { "PCellID0", "PCellID1", "PCellID2", "PCellID3" }.Select(n => p.FindRegister(prefix + n)!.Offset));

        // What QEMU's device reads (bytes at 0xFE0..0xFEC) decodes field by field to the same part and designer; the
        // revision (PeriphID2 bits 7:4) is outside the reset mask.
        byte[] bytes = BitConverter.GetBytes(measured);
        Assert.Equal((ulong)(part & 0xFF), RegisterCodec.Decode(id0.Register, bytes[0]).Single(f => f.Field.Name == "PartNumber0").Value);
        RegisterDescription id2 = p.FindRegister(prefix + "PeriphID2")!.Register;
        Assert.Equal(0x0FUL, id2.ResetMask);
        Assert.Equal(id2.ResetValue, bytes[2] & id2.ResetMask);
        Assert.Equal((ulong)(bytes[2] >> 4), RegisterCodec.Decode(id2, bytes[2]).Single(f => f.Field.Name == "Revision").Value);
    }

    [Fact]
    public void Pl011_registers_and_fields_as_in_the_manual()
    {
        PeripheralDescription uart = Read("pl011.svd");
        Assert.Equal(
            new[] { ("UARTDR", 0x000UL), ("UARTRSR", 0x004UL), ("UARTECR", 0x004UL), ("UARTFR", 0x018UL), ("UARTILPR", 0x020UL), ("UARTIBRD", 0x024UL), ("UARTFBRD", 0x028UL), ("UARTLCR_H", 0x02CUL), ("UARTCR", 0x030UL), ("UARTIFLS", 0x034UL), ("UARTIMSC", 0x038UL), ("UARTRIS", 0x03CUL), ("UARTMIS", 0x040UL), ("UARTICR", 0x044UL), ("UARTDMACR", 0x048UL) },
            uart.Registers.Take(15).Select(r => (r.Path, r.Offset)));

        Assert.True(RegisterCodec.TryParseAssignment(uart, "UARTCR.UARTEN=1", out RegisterInstance? cr, out RegisterWrite? w, out string? error), error);
        Assert.Equal(0x301UL, w.Apply(cr.Register.ResetValue));
        Assert.Equal("Bits8", RegisterCodec.Decode(uart.FindRegister("UARTLCR_H")!.Register, 0x70).Single(f => f.Field.Name == "WLEN").Meaning!.Name);
        IReadOnlyList<DecodedField> ifls = RegisterCodec.Decode(uart.FindRegister("UARTIFLS")!.Register, 0x12);
        Assert.Equal(("Half", "Half"), (ifls[0].Meaning!.Name, ifls[1].Meaning!.Name));
        Assert.Equal(ReadAction.ModifyExternal, uart.FindRegister("UARTDR")!.Register.ReadAction);
        Assert.Equal("UARTRSR", uart.FindRegister("UARTECR")!.Register.AlternateRegister);
        Assert.Equal(ModifiedWriteValues.OneToClear, uart.FindRegister("UARTICR")!.Register.FindField("RXIC")!.ModifiedWriteValues);
        Assert.Equal(11, uart.FindRegister("UARTIMSC")!.Register.Fields.Count);
    }

    [Fact]
    public void Pl031_counter_and_pl061_masked_data_array()
    {
        PeripheralDescription rtc = Read("pl031.svd");
        Assert.Equal(new[] { "RTCDR", "RTCMR", "RTCLR", "RTCCR", "RTCIMSC", "RTCRIS", "RTCMIS", "RTCICR" }, rtc.Registers.Take(8).Select(r => r.Path));
        Assert.Equal(0x1CUL, rtc.FindRegister("RTCICR")!.Offset);
        Assert.Equal("register RTCDR is read-only", RegisterCodec.TryEncodeRegister(rtc.FindRegister("RTCDR")!.Register, "0", out _, out string? error) ? null : error);

        PeripheralDescription gpio = Read("pl061.svd");
        Assert.Equal(256 + 9 + 8, gpio.Registers.Count);
        Assert.Equal(0x3FCUL, gpio.FindRegister("GPIODATA[255]")!.Offset);
        Assert.Equal(0x400UL, gpio.FindRegister("GPIODIR")!.Offset);
        Assert.Equal(0x420UL, gpio.FindRegister("GPIOAFSEL")!.Offset);
    }
}
