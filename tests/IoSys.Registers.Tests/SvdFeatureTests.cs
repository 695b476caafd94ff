using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

public class SvdFeatureTests
{
    [Fact]
    public void Register_properties_are_inherited_device_to_peripheral_to_cluster_to_register()
    {
        PeripheralDescription p = SvdText.Peripheral(
            """
            <register><name>A</name><addressOffset>0x0</addressOffset></register>
            <cluster>
              <name>C</name><addressOffset>0x100</addressOffset>
              <access>write-only</access><resetValue>0x55</resetValue>
              <register><name>B</name><addressOffset>0x4</addressOffset></register>
              <register><name>D</name><addressOffset>0x8</addressOffset><size>8</size><access>read-only</access><resetValue>0x1FF</resetValue><resetMask>0xF0</resetMask><protection>s</protection></register>
            </cluster>
            """,
            peripheralElements: "<size>16</size><resetValue>0x1234</resetValue>",
            deviceElements: "<size>32</size><access>read-only</access><resetValue>0xFFFFFFFF</resetValue><resetMask>0xFFFFFFFF</resetMask><protection>p</protection>");

        RegisterDescription a = p.FindRegister("A")!.Register;
        Assert.Equal((16, AccessType.ReadOnly, 0x1234UL, 0xFFFFUL, Protection.Privileged), (a.Size, a.Access, a.ResetValue, a.ResetMask, a.Protection));

        RegisterInstance b = p.FindRegister("C.B")!;
        Assert.Equal(0x104UL, b.Offset);
        Assert.Equal((16, AccessType.WriteOnly, 0x55UL), (b.Register.Size, b.Register.Access, b.Register.ResetValue));

        RegisterDescription d = p.FindRegister("C.D")!.Register;
        Assert.Equal((8, AccessType.ReadOnly, 0xF0UL, 0xF0UL, Protection.Secure), (d.Size, d.Access, d.ResetValue, d.ResetMask, d.Protection));
    }

    [Fact]
    public void Register_size_defaults_to_32_bits_read_write_reset_0()
    {
        RegisterDescription r = SvdText.Peripheral("<register><name>R</name><addressOffset>4</addressOffset></register>").Registers[0].Register;
        Assert.Equal((32, AccessType.ReadWrite, 0UL, 0xFFFFFFFFUL, 4UL), (r.Size, r.Access, r.ResetValue, r.ResetMask, r.AddressOffset));
    }

    [Fact]
    public void Field_bits_come_from_bitOffset_and_bitWidth_lsb_and_msb_or_bitRange()
    {
        RegisterDescription r = SvdText.Peripheral(
            """
            <register><name>R</name><addressOffset>0</addressOffset><fields>
              <field><name>A</name><bitOffset>3</bitOffset><bitWidth>2</bitWidth></field>
              <field><name>B</name><bitOffset>5</bitOffset></field>
              <field><name>C</name><lsb>8</lsb><msb>15</msb></field>
              <field><name>D</name><bitRange>[31:16]</bitRange></field>
            </fields></register>
            """).Registers[0].Register;

        Assert.Equal(
            new[] { ("A", 3, 4), ("B", 5, 5), ("C", 8, 15), ("D", 16, 31) },
            r.Fields.Select(f => (f.Name, f.Lsb, f.Msb)));
        Assert.Equal(0x18UL, r.FindField("A")!.Mask);
        Assert.Equal(0xFFFF0000UL, r.FindField("D")!.Mask);
    }

    [Fact]
    public void Field_access_and_write_semantics_default_to_the_registers()
    {
        RegisterDescription r = SvdText.Peripheral(
            """
            <register><name>R</name><addressOffset>0</addressOffset><access>read-write</access><modifiedWriteValues>oneToClear</modifiedWriteValues><readAction>clear</readAction><fields>
              <field><name>A</name><bitOffset>0</bitOffset></field>
              <field><name>B</name><bitOffset>1</bitOffset><access>read-only</access><modifiedWriteValues>modify</modifiedWriteValues><readAction>modifyExternal</readAction></field>
            </fields></register>
            """).Registers[0].Register;

        Assert.Equal((AccessType.ReadWrite, ModifiedWriteValues.OneToClear, ReadAction.Clear), (r.Fields[0].Access, r.Fields[0].ModifiedWriteValues, r.Fields[0].ReadAction));
        Assert.Equal((AccessType.ReadOnly, ModifiedWriteValues.Modify, ReadAction.ModifyExternal), (r.Fields[1].Access, r.Fields[1].ModifiedWriteValues, r.Fields[1].ReadAction));
        Assert.Equal(ReadAction.Clear, r.ReadAction);
    }

    [Fact]
    public void Percent_s_lists_are_expanded_with_dimIndex_lists_numeric_and_letter_ranges()
    {
        PeripheralDescription p = SvdText.Peripheral(
            """
            <register><dim>3</dim><dimIncrement>4</dimIncrement><name>R%s</name><description>reg %s</description><addressOffset>0x10</addressOffset></register>
            <register><dim>2</dim><dimIncrement>0x8</dimIncrement><dimIndex>A,B</dimIndex><name>S_%s</name><addressOffset>0x20</addressOffset></register>
            <register><dim>3</dim><dimIncrement>4</dimIncrement><dimIndex>5-7</dimIndex><name>T%s</name><addressOffset>0x40</addressOffset></register>
            <register><dim>2</dim><dimIncrement>4</dimIncrement><dimIndex>X-Y</dimIndex><name>U%s</name><addressOffset>0x50</addressOffset></register>
            """);

        Assert.Equal(
            new[] { ("R0", 0x10UL), ("R1", 0x14UL), ("R2", 0x18UL), ("S_A", 0x20UL), ("S_B", 0x28UL), ("T5", 0x40UL), ("T6", 0x44UL), ("T7", 0x48UL), ("UX", 0x50UL), ("UY", 0x54UL) },
            p.Registers.Select(r => (r.Path, r.Offset)));
        Assert.Equal("reg 1", p.FindRegister("R1")!.Register.Description);
        Assert.All(p.Children, c => Assert.Null(c.Dim));
    }

    [Fact]
    public void Bracket_arrays_are_kept_as_arrays_with_stride_and_elements_resolve_by_index()
    {
        PeripheralDescription p = SvdText.Peripheral(
            "<register><dim>4</dim><dimIncrement>0x10</dimIncrement><name>CH[%s]</name><addressOffset>0x100</addressOffset></register>");

        RegisterDescription array = Assert.IsType<RegisterDescription>(Assert.Single(p.Children));
        Assert.Equal("CH", array.Name);
        Assert.Equal((4, 0x10UL), (array.Dim!.Count, array.Dim.Increment));
        Assert.Equal(new[] { "CH[0]", "CH[1]", "CH[2]", "CH[3]" }, p.Registers.Select(r => r.Path));
        Assert.Equal(0x130UL, p.FindRegister("CH[3]")!.Offset);
        Assert.Same(array, p.FindRegister("ch[2]")!.Register);
        Assert.Null(p.FindRegister("CH[4]"));
        Assert.Null(p.FindRegister("CH"));
    }

    [Fact]
    public void Nested_clusters_and_cluster_arrays_give_paths_and_summed_offsets()
    {
        PeripheralDescription p = SvdText.Peripheral(
            """
            <cluster>
              <dim>2</dim><dimIncrement>0x100</dimIncrement><name>PORT[%s]</name><addressOffset>0x1000</addressOffset>
              <register><name>CTRL</name><addressOffset>0x0</addressOffset></register>
              <cluster>
                <name>PIN</name><addressOffset>0x40</addressOffset>
                <register><dim>2</dim><dimIncrement>4</dimIncrement><name>CFG[%s]</name><addressOffset>0x8</addressOffset></register>
              </cluster>
            </cluster>
            <cluster><dim>2</dim><dimIncrement>0x20</dimIncrement><name>TASKS_%s</name><addressOffset>0x0</addressOffset>
              <register><name>EN</name><addressOffset>0x4</addressOffset></register>
            </cluster>
            """);

        Assert.Equal(
            new[]
            {
                ("PORT[0].CTRL", 0x1000UL), ("PORT[0].PIN.CFG[0]", 0x1048UL), ("PORT[0].PIN.CFG[1]", 0x104CUL),
                ("PORT[1].CTRL", 0x1100UL), ("PORT[1].PIN.CFG[0]", 0x1148UL), ("PORT[1].PIN.CFG[1]", 0x114CUL),
                ("TASKS_0.EN", 0x4UL), ("TASKS_1.EN", 0x24UL),
            },
            p.Registers.Select(r => (r.Path, r.Offset)));
        Assert.Equal(0x114CUL, p.FindRegister("PORT[1].PIN.CFG[1]")!.Offset);
    }

    [Fact]
    public void Peripherals_derive_from_others_and_override_what_they_state()
    {
        DeviceDescription d = SvdText.Clean(SvdText.Device(
            """
            <peripheral><name>UART0</name><description>first</description><baseAddress>0x1000</baseAddress><size>16</size>
              <registers><register><name>CR</name><addressOffset>0x30</addressOffset></register></registers>
            </peripheral>
            <peripheral derivedFrom="UART0"><name>UART1</name><baseAddress>0x2000</baseAddress></peripheral>
            """));

        PeripheralDescription u1 = d.FindPeripheral("UART1")!;
        Assert.Equal(("UART1", 0x2000UL, "first", "UART0"), (u1.Name, u1.BaseAddress, u1.Description, u1.DerivedFrom));
        RegisterDescription cr = u1.FindRegister("CR")!.Register;
        Assert.Equal((0x30UL, 16), (cr.AddressOffset, cr.Size));
    }

    [Fact]
    public void Registers_clusters_fields_and_enumerated_values_derive_by_plain_and_qualified_names()
    {
        DeviceDescription d = SvdText.Clean(SvdText.Device(
            """
            <peripheral><name>A</name><baseAddress>0x1000</baseAddress><registers>
              <register><name>MODE</name><addressOffset>0x0</addressOffset><size>8</size><resetValue>3</resetValue><fields>
                <field><name>SPEED</name><bitRange>[1:0]</bitRange><enumeratedValues><name>Speed</name>
                  <enumeratedValue><name>Slow</name><value>0</value></enumeratedValue>
                  <enumeratedValue><name>Fast</name><value>3</value></enumeratedValue>
                </enumeratedValues></field>
                <field derivedFrom="SPEED"><name>SPEED2</name><bitRange>[3:2]</bitRange></field>
                <field><name>SPEED3</name><bitRange>[5:4]</bitRange><enumeratedValues derivedFrom="A.MODE.SPEED.Speed"/></field>
                <field><name>SPEED4</name><bitRange>[7:6]</bitRange><enumeratedValues derivedFrom="Speed"/></field>
              </fields></register>
              <register derivedFrom="MODE"><name>MODE2</name><addressOffset>0x4</addressOffset></register>
              <cluster><name>GRP</name><addressOffset>0x10</addressOffset>
                <register><name>X</name><addressOffset>0x0</addressOffset></register>
              </cluster>
              <cluster derivedFrom="GRP"><name>GRP2</name><addressOffset>0x20</addressOffset></cluster>
            </registers></peripheral>
            <peripheral><name>B</name><baseAddress>0x2000</baseAddress><registers>
              <register derivedFrom="A.MODE"><name>MODE</name><addressOffset>0x8</addressOffset></register>
            </registers></peripheral>
            """));

        PeripheralDescription a = d.FindPeripheral("A")!;
        RegisterDescription mode = a.FindRegister("MODE")!.Register;
        Assert.Equal(new[] { "Slow", "Fast" }, mode.FindField("SPEED2")!.EnumeratedValueSets.Single().Values.Select(v => v.Name));
        Assert.Equal(2, mode.FindField("SPEED2")!.Lsb);
        Assert.Equal("Fast", mode.FindField("SPEED3")!.EnumeratedValueSets.Single().Match(3)!.Name);
        Assert.Equal("Slow", mode.FindField("SPEED4")!.EnumeratedValueSets.Single().Match(0)!.Name);

        RegisterInstance mode2 = a.FindRegister("MODE2")!;
        Assert.Equal((0x4UL, 8, 3UL, 4), (mode2.Offset, mode2.Register.Size, mode2.Register.ResetValue, mode2.Register.Fields.Count));
        Assert.Equal(0x20UL, a.FindRegister("GRP2.X")!.Offset);

        RegisterInstance bMode = d.FindPeripheral("B")!.FindRegister("MODE")!;
        Assert.Equal((0x8UL, 8, 4), (bMode.Offset, bMode.Register.Size, bMode.Register.Fields.Count));
    }

    [Fact]
    public void Alternate_registers_share_an_offset_and_alternate_groups_get_distinct_paths()
    {
        PeripheralDescription p = SvdText.Peripheral(
            """
            <register><name>RSR</name><addressOffset>0x4</addressOffset><access>read-only</access></register>
            <register><name>ECR</name><addressOffset>0x4</addressOffset><access>write-only</access><alternateRegister>RSR</alternateRegister></register>
            <register><name>CTRL</name><addressOffset>0x8</addressOffset><alternateGroup>SPI</alternateGroup></register>
            <register><name>CTRL</name><addressOffset>0x8</addressOffset><alternateGroup>I2C</alternateGroup></register>
            """);

        Assert.Equal("RSR", p.FindRegister("ECR")!.Register.AlternateRegister);
        Assert.Equal(p.FindRegister("RSR")!.Offset, p.FindRegister("ECR")!.Offset);
        Assert.Equal(new[] { "RSR", "ECR", "CTRL_SPI", "CTRL_I2C" }, p.Registers.Select(r => r.Path));
        Assert.Equal("I2C", p.FindRegister("CTRL_I2C")!.Register.AlternateGroup);
    }

    [Fact]
    public void Enumerated_values_match_exactly_by_pattern_or_by_default_and_keep_their_usage()
    {
        FieldDescription f = SvdText.Peripheral(
            """
            <register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitRange>[2:0]</bitRange>
              <enumeratedValues><name>rd</name><usage>read</usage>
                <enumeratedValue><name>Zero</name><value>0</value></enumeratedValue>
                <enumeratedValue><name>HighBit</name><value>#1x1</value></enumeratedValue>
                <enumeratedValue><name>Other</name><isDefault>true</isDefault></enumeratedValue>
              </enumeratedValues>
              <enumeratedValues><usage>write</usage>
                <enumeratedValue><name>Go</name><value>0b10</value></enumeratedValue>
              </enumeratedValues>
            </field></fields></register>
            """).Registers[0].Register.Fields[0];

        EnumeratedValueSet read = f.EnumeratedValueSets[0];
        Assert.Equal((EnumeratedUsage.Read, true, false), (read.Usage, read.DescribesReads, read.DescribesWrites));
        Assert.Equal("Zero", read.Match(0)!.Name);
        Assert.Equal("HighBit", read.Match(0b101)!.Name);
        Assert.Equal("HighBit", read.Match(0b111)!.Name);
        Assert.Equal("Other", read.Match(0b110)!.Name);
        Assert.True(read.Values[2].IsDefault);
        Assert.Equal((EnumeratedUsage.Write, 2UL), (f.EnumeratedValueSets[1].Usage, f.EnumeratedValueSets[1].Values[0].Value));
    }

    [Fact]
    public void Peripheral_arrays_expand_with_their_base_addresses()
    {
        DeviceDescription d = SvdText.Clean(SvdText.Device(
            "<peripheral><dim>2</dim><dimIncrement>0x1000</dimIncrement><name>TIMER%s</name><baseAddress>0x40000000</baseAddress><registers><register><name>CNT</name><addressOffset>0x24</addressOffset></register></registers></peripheral>"));

        Assert.Equal(new[] { ("TIMER0", 0x40000000UL), ("TIMER1", 0x40001000UL) }, d.Peripherals.Select(p => (p.Name, p.BaseAddress)));
        Assert.Equal(0x24UL, d.FindPeripheral("timer1")!.FindRegister("CNT")!.Offset);
    }

    [Fact]
    public void Field_arrays_expand_with_the_increment_in_bits()
    {
        RegisterDescription r = SvdText.Peripheral(
            "<register><name>OUT</name><addressOffset>0</addressOffset><fields><field><dim>4</dim><dimIncrement>2</dimIncrement><name>PIN%s</name><bitRange>[1:0]</bitRange></field></fields></register>").Registers[0].Register;
        Assert.Equal(new[] { ("PIN0", 0), ("PIN1", 2), ("PIN2", 4), ("PIN3", 6) }, r.Fields.Select(f => (f.Name, f.Lsb)));
    }

    [Fact]
    public void Device_attributes_address_blocks_and_interrupts_are_read()
    {
        DeviceDescription d = SvdText.Clean(SvdText.Device(
            "<peripheral><name>P</name><groupName>G</groupName><baseAddress>0x10</baseAddress><addressBlock><offset>0</offset><size>0x400</size><usage>registers</usage></addressBlock><interrupt><name>P_IRQ</name><value>17</value></interrupt></peripheral>",
            "<version>1.2</version><description>A test device</description><width>32</width><addressUnitBits>8</addressUnitBits>"));
        PeripheralDescription p = d.Peripherals[0];
        Assert.Equal(("TEST", "1.2", "A test device", 32), (d.Name, d.Version, d.Description, d.Width));
        Assert.Equal(("G", 0x400UL, "registers"), (p.GroupName, p.AddressBlocks[0].Size, p.AddressBlocks[0].Usage));
        Assert.Equal(("P_IRQ", 17L), (p.Interrupts[0].Name, p.Interrupts[0].Value));
        Assert.Equal(0x400UL, p.Span);
    }

    [Fact]
    public void Elements_in_a_namespace_and_unknown_vendor_extensions_are_accepted()
    {
        DeviceDescription d = SvdText.Clean(
            """
            <?xml version="1.0"?>
            <device xmlns="urn:example"><name>N</name><vendorExtensions><x>1</x></vendorExtensions>
              <peripherals><peripheral><name>P</name><baseAddress>0</baseAddress><registers>
                <register><name>R</name><addressOffset>0</addressOffset><writeConstraint><range><minimum>0</minimum><maximum>3</maximum></range></writeConstraint></register>
              </registers></peripheral></peripherals>
            </device>
            """);
        Assert.NotNull(d.FindPeripheral("P")!.FindRegister("R"));
    }

    [Fact]
    public void Locations_point_at_the_declaring_element()
    {
        string xml = SvdText.Registers("<register>\n<name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name><bitOffset>0</bitOffset></field></fields></register>");
        RegisterDescription r = SvdText.Clean(xml).Peripherals[0].Registers[0].Register;
        Assert.Equal(SvdText.LineOf(xml, "<register>"), r.Location.Line);
        Assert.Equal(SvdText.LineOf(xml, "<field>"), r.Fields[0].Location.Line);
        Assert.Equal(SvdText.FileName, r.Location.File);
    }
}
