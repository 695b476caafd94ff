using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

public class SvdDiagnosticTests
{
    public static TheoryData<string, string, string, string, string> MalformedRegisters => new()
    {
        // registers XML, expected code, expected element, marker on the expected line, text the message contains
        { "<register><addressOffset>0</addressOffset></register>", "SVD004", "register", "<register>", "needs a <name>" },
        { "<register><name>R</name></register>", "SVD004", "register", "<register>", "<addressOffset>" },
        { "<register><name>R</name><addressOffset>0xZZ</addressOffset></register>", "SVD005", "addressOffset", "<addressOffset>0xZZ", "'0xZZ' is not a number" },
        { "<register><name>R</name><addressOffset>0</addressOffset><size>65</size></register>", "SVD011", "size", "<size>65", "65 bits" },
        { "<register><name>R</name><addressOffset>0</addressOffset><size>0</size></register>", "SVD011", "size", "<size>0", "0 bits" },
        { "<register><name>R</name><addressOffset>0</addressOffset><access>readwrite</access></register>", "SVD006", "access", "<access>readwrite", "'readwrite'" },
        { "<register><name>R</name><addressOffset>0</addressOffset><readAction>pop</readAction></register>", "SVD006", "readAction", "<readAction>", "'pop'" },
        { "<register><name>R</name><addressOffset>0</addressOffset><modifiedWriteValues>w1c</modifiedWriteValues></register>", "SVD006", "modifiedWriteValues", "<modifiedWriteValues>", "'w1c'" },
        { "<register><name>R</name><addressOffset>0</addressOffset><protection>x</protection></register>", "SVD006", "protection", "<protection>", "'x'" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name><bitRange>[40:0]</bitRange></field></fields></register>", "SVD010", "field", "<field>", "[40:0]" },
        { "<register><name>R</name><addressOffset>0</addressOffset><size>8</size><fields>\n<field><name>F</name><bitRange>[8:1]</bitRange></field></fields></register>", "SVD010", "field", "<field>", "8 bits" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name><bitRange>[1:4]</bitRange></field></fields></register>", "SVD010", "field", "<field>", "msb >= lsb" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name>\n<bitRange>7:0</bitRange></field></fields></register>", "SVD005", "bitRange", "<bitRange>", "[msb:lsb]" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name><lsb>3</lsb></field></fields></register>", "SVD004", "field", "<field>", "both" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields>\n<field><name>F</name></field></fields></register>", "SVD004", "field", "<field>", "<bitRange>" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0</bitOffset>\n<bitWidth>0</bitWidth></field></fields></register>", "SVD010", "bitWidth", "<bitWidth>", "bitWidth 0" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0</bitOffset><enumeratedValues>\n<enumeratedValue><name>E</name></enumeratedValue></enumeratedValues></field></fields></register>", "SVD004", "enumeratedValue", "<enumeratedValue>", "<value>" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0</bitOffset><enumeratedValues><enumeratedValue><name>E</name>\n<value>#12</value></enumeratedValue></enumeratedValues></field></fields></register>", "SVD005", "value", "<value>#12", "'#12'" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0</bitOffset><enumeratedValues><enumeratedValue><name>E</name>\n<isDefault>yes</isDefault></enumeratedValue></enumeratedValues></field></fields></register>", "SVD006", "isDefault", "<isDefault>", "boolean" },
        { "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0</bitOffset><enumeratedValues>\n<usage>both</usage></enumeratedValues></field></fields></register>", "SVD006", "usage", "<usage>", "'both'" },
        { "<register>\n<dim>4</dim><name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "dim", "<dim>", "<dimIncrement>" },
        { "<register><dim>4</dim><dimIncrement>4</dimIncrement>\n<name>R</name><addressOffset>0</addressOffset></register>", "SVD009", "name", "<name>R<", "no %s" },
        { "<register>\n<name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "name", "<name>R%s", "no <dim>" },
        { "<register><dim>3</dim><dimIncrement>4</dimIncrement>\n<dimIndex>A,B</dimIndex><name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "dimIndex", "<dimIndex>", "'A,B'" },
        { "<register><dim>3</dim><dimIncrement>4</dimIncrement>\n<dimIndex>1-5</dimIndex><name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "dimIndex", "<dimIndex>", "'1-5'" },
        { "<register>\n<dim>0</dim><dimIncrement>4</dimIncrement><name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "dim", "<dim>", "dim 0" },
        { "<register>\n<dim>100000000</dim><dimIncrement>4</dimIncrement><name>R%s</name><addressOffset>0</addressOffset></register>", "SVD009", "dim", "<dim>", "1 to 65536" },
        { "<register\nderivedFrom=\"NOPE\"><name>R</name><addressOffset>0</addressOffset></register>", "SVD007", "register derivedFrom", "derivedFrom", "'NOPE'" },
        { "<register\nderivedFrom=\"S\"><name>R</name><addressOffset>0</addressOffset></register><register derivedFrom=\"R\"><name>S</name><addressOffset>4</addressOffset></register>", "SVD008", "register derivedFrom", "derivedFrom", "circular" },
        { "<register\nderivedFrom=\"R\"><name>R</name><addressOffset>0</addressOffset></register>", "SVD007", "register derivedFrom", "derivedFrom", "'R'" },
    };

    [Theory]
    [MemberData(nameof(MalformedRegisters))]
    public void Malformed_content_is_an_error_naming_file_line_and_element(string registers, string code, string element, string marker, string message)
    {
        string xml = SvdText.Registers(registers);
        SvdReadResult result = SvdText.Parse(xml);

        SvdDiagnostic d = Assert.Single(result.Diagnostics, x => x.Severity == SvdSeverity.Error);
        Assert.Equal(code, d.Code);
        Assert.Equal(element, d.Element);
        Assert.Equal(SvdText.FileName, d.Location.File);
        Assert.Equal(SvdText.LineOf(xml, marker), d.Location.Line);
        Assert.True(d.Location.Column > 0);
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{SvdText.FileName}({d.Location.Line},{d.Location.Column}): error {code}: <{element}>", d.ToString(), StringComparison.Ordinal);
        Assert.NotNull(result.Device);
        Assert.False(result.TryGetDevice(out _));
    }

    [Fact]
    public void The_element_at_fault_is_left_out_and_the_rest_is_read()
    {
        SvdReadResult result = SvdText.Parse(SvdText.Registers(
            "<register><name>BAD</name><addressOffset>nope</addressOffset></register><register><name>GOOD</name><addressOffset>4</addressOffset><fields><field><name>X</name><bitRange>[99:0]</bitRange></field><field><name>Y</name><bitOffset>1</bitOffset></field></fields></register>"));

        Assert.Equal(2, result.ErrorCount);
        PeripheralDescription p = result.Device!.Peripherals[0];
        Assert.Null(p.FindRegister("BAD"));
        Assert.Equal(new[] { "Y" }, p.FindRegister("GOOD")!.Register.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Path_names_the_peripheral_cluster_register_and_field()
    {
        SvdReadResult result = SvdText.Parse(SvdText.Registers(
            "<cluster><name>C</name><addressOffset>0</addressOffset><register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitRange>[40:0]</bitRange></field></fields></register></cluster>"));
        Assert.Equal("P.C.R.F", Assert.Single(result.Diagnostics).Path);
    }

    [Theory]
    [InlineData("<peripheral><name>P</name></peripheral>", "SVD004", "peripheral", "baseAddress")]
    [InlineData("<peripheral><baseAddress>0</baseAddress></peripheral>", "SVD004", "peripheral", "<name>")]
    [InlineData("<peripheral derivedFrom=\"X\"><name>P</name><baseAddress>0</baseAddress></peripheral>", "SVD007", "peripheral derivedFrom", "'X'")]
    [InlineData("<peripheral><name>P</name><baseAddress>0</baseAddress><interrupt><name>I</name><value>x</value></interrupt></peripheral>", "SVD005", "value", "interrupt 'I'")]
    [InlineData("<peripheral><name>P</name><baseAddress>0</baseAddress><addressBlock><offset>0</offset></addressBlock></peripheral>", "SVD004", "addressBlock", "<size>")]
    public void Malformed_peripherals_are_errors(string peripherals, string code, string element, string message)
    {
        SvdReadResult result = SvdText.Parse(SvdText.Device(peripherals));
        SvdDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal((SvdSeverity.Error, code, element), (d.Severity, d.Code, d.Element));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
        Assert.True(d.Location.Line > 0);
    }

    [Theory]
    [InlineData("", "SVD002", 1)]
    [InlineData("<device><name>X</name>", "SVD002", 1)]
    [InlineData("<?xml version=\"1.0\"?>\n<device>\n<name>X</nam>\n</device>", "SVD002", 3)]
    // DTDs (external entities, entity expansion) are refused; the reader gives no precise position for that (0: any line).
    [InlineData("<?xml version=\"1.0\"?>\n<!DOCTYPE device [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<device><name>&e;</name></device>", "SVD002", 0)]
    [InlineData("<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<device>&b;</device>", "SVD002", 0)]
    [InlineData("<?xml version=\"1.0\"?>\n<component><name>X</name></component>", "SVD003", 2)]
    public void Documents_that_are_not_SVD_give_no_device_and_one_error(string xml, string code, int line)
    {
        SvdReadResult result = SvdText.Parse(xml);
        Assert.Null(result.Device);
        SvdDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal((SvdSeverity.Error, code), (d.Severity, d.Code));
        Assert.True(line == 0 ? d.Location.Line >= 1 : d.Location.Line == line, d.ToString());
    }

    [Fact]
    public void A_missing_peripherals_element_is_an_error_but_gives_a_device()
    {
        SvdReadResult result = SvdText.Parse("<device><name>X</name></device>");
        Assert.Equal("SVD004", Assert.Single(result.Diagnostics).Code);
        Assert.Empty(result.Device!.Peripherals);
    }

    [Fact]
    public void AddressUnitBits_other_than_8_is_unsupported()
    {
        SvdReadResult result = SvdText.Parse(SvdText.Device(string.Empty, "<addressUnitBits>16</addressUnitBits>"));
        Assert.Equal(("SVD011", "addressUnitBits"), (result.Diagnostics[0].Code, result.Diagnostics[0].Element));
    }

    [Fact]
    public void Odd_but_readable_content_is_a_warning()
    {
        SvdReadResult result = SvdText.Parse(SvdText.Registers(
            """
            <register><name>R</name><addressOffset>0</addressOffset><size>8</size><resetValue>0x1FF</resetValue><resetMask>0x1FF</resetMask><fields>
              <field><name>A</name><bitRange>[3:0]</bitRange><enumeratedValues><enumeratedValue><name>Big</name><value>0x10</value></enumeratedValue></enumeratedValues></field>
              <field><name>B</name><bitRange>[4:2]</bitRange></field>
              <field><name>B</name><bitRange>[7:7]</bitRange></field>
            </fields></register>
            <register><name>R</name><addressOffset>4</addressOffset></register>
            """));

        Assert.False(result.HasErrors, result.ToString());
        Assert.Equal(new[] { "SVD014", "SVD014", "SVD013", "SVD015", "SVD015" }, result.Diagnostics.Select(d => d.Code));
        Assert.All(result.Diagnostics, d => Assert.Equal(SvdSeverity.Warning, d.Severity));
        Assert.Equal(0xFFUL, result.Device!.Peripherals[0].FindRegister("R")!.Register.ResetValue);
        Assert.True(result.TryGetDevice(out _));
    }

    [Fact]
    public void Clusters_nested_too_deep_are_refused_without_overflowing_the_stack()
    {
        // 40 clusters: within the element depth bound (SVD016), beyond the cluster bound of 32.
        string inner = "<register><name>R</name><addressOffset>0</addressOffset></register>";
        for (int i = 0; i < 40; i++)
        {
            inner = $"<cluster><name>C{i}</name><addressOffset>0</addressOffset>{inner}</cluster>";
        }

        SvdReadResult result = SvdText.Parse(SvdText.Registers(inner));
        Assert.Equal("SVD012", Assert.Single(result.Diagnostics).Code);
        Assert.Empty(result.Device!.Peripherals[0].Registers);
    }

    public static TheoryData<string, int> DeepFiles => new()
    {
        // what is nested, levels
        { "clusters", 10_000 },
        { "unknown elements", 10_000 },
        { "unknown elements", 200_000 },
    };

    [Theory]
    [MemberData(nameof(DeepFiles))]
    public void Elements_nested_deeper_than_the_bound_are_refused_in_one_linear_pass(string what, int levels)
    {
        // Hostile: nesting of any depth is refused at the first element beyond 64 levels, before any tree is built:
        // no stack overflow, and time linear in the file (200,000 levels read as fast as a 200,000-element file).
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < levels; i++)
        {
            sb.Append(what == "clusters" ? $"<cluster><name>C{i}</name><addressOffset>0</addressOffset>\n" : "<x>\n");
        }

        for (int i = 0; i < levels; i++)
        {
            sb.Append(what == "clusters" ? "</cluster>" : "</x>");
        }

        string xml = SvdText.Registers(sb.ToString());
        SvdReadResult result = SvdText.Parse(xml);
        SvdDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(("SVD016", SvdSeverity.Error), (d.Code, d.Severity));
        Assert.Null(result.Device);
        Assert.Equal(SvdText.FileName, d.Location.File);
        Assert.Contains("deeper than 64", d.Message, StringComparison.Ordinal);

        // The element at fault is the first beyond the bound, at depth 65 (the device, peripherals, peripheral and
        // registers come first): the 62nd <x>, or the <name> of the 61st cluster (C60, at depth 64).
        if (what == "clusters")
        {
            Assert.Equal(("name", SvdText.LineOf(xml, "<cluster><name>C60<")), (d.Element, d.Location.Line));

            // The path names the peripheral and the clusters around the element, the middle shortened.
            Assert.StartsWith("P.C0.C1.C2.(53 more).", d.Path, StringComparison.Ordinal);
            Assert.EndsWith(".C57.C58.C59", d.Path, StringComparison.Ordinal);
            Assert.Contains($"<name> in {d.Path}", d.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(("x", SvdText.LineOf(xml, "<x>") + 61), (d.Element, d.Location.Line));
            Assert.Equal("P", d.Path);
        }
    }

    [Fact]
    public void Nesting_up_to_the_bound_is_read()
    {
        // 32 clusters (the cluster bound) with a field and enumerated values inside stay within 64 levels.
        string inner = "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitRange>[0:0]</bitRange><enumeratedValues><enumeratedValue><name>On</name><value>1</value></enumeratedValue></enumeratedValues></field></fields></register>";
        for (int i = 0; i < 32; i++)
        {
            inner = $"<cluster><name>C{i}</name><addressOffset>0</addressOffset>{inner}</cluster>";
        }

        PeripheralDescription p = SvdText.Peripheral(inner);
        Assert.Single(p.Registers);
    }

    [Fact]
    public void Long_derivedFrom_chains_are_refused_without_overflowing_the_stack()
    {
        // Each register derives from the next, so reading the first walks the whole chain.
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 4999; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"<register derivedFrom=\"R{i + 1}\"><name>R{i}</name><addressOffset>{i * 4}</addressOffset></register>");
        }

        sb.Append("<register><name>R4999</name><addressOffset>0x10000</addressOffset><size>16</size></register>");

        SvdReadResult result = SvdText.Parse(SvdText.Registers(sb.ToString()));
        Assert.Contains(result.Diagnostics, d => d.Code == "SVD008");
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "SVD999");
        Assert.True(result.Device!.Peripherals[0].Registers.Count >= 4900);
    }

    [Fact]
    public void Arrays_multiplying_to_more_elements_than_the_limit_are_refused_not_allocated()
    {
        string xml = SvdText.Registers(
            "<cluster><dim>65536</dim><dimIncrement>0x10000</dimIncrement><name>A[%s]</name><addressOffset>0</addressOffset><cluster><dim>65536</dim><dimIncrement>4</dimIncrement><name>B[%s]</name><addressOffset>0</addressOffset><register><name>R</name><addressOffset>0</addressOffset></register></cluster></cluster>");
        SvdReadResult result = SvdText.Parse(xml);
        SvdDiagnostic d = Assert.Single(result.Diagnostics);

        // Refused at the inner cluster (65536 x 65536 copies), before any copy is made or walked: expanding the
        // peripheral then visits the 65536 outer copies only (this took minutes when clusters were not counted).
        Assert.Equal(("SVD012", "cluster"), (d.Code, d.Element));
        Assert.Empty(result.Device!.Peripherals[0].Registers);
    }

    [Fact]
    public void A_problem_in_a_derived_base_is_reported_once()
    {
        SvdReadResult result = SvdText.Parse(SvdText.Device(
            """
            <peripheral><name>A</name><baseAddress>0</baseAddress><registers><register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitRange>[40:0]</bitRange></field></fields></register></registers></peripheral>
            <peripheral derivedFrom="A"><name>B</name><baseAddress>0x100</baseAddress></peripheral>
            <peripheral derivedFrom="A"><name>C</name><baseAddress>0x200</baseAddress></peripheral>
            """));
        Assert.Equal("SVD010", Assert.Single(result.Diagnostics).Code);
    }
}
