using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

/// <summary>Real vendor files (see vendor/README.md): counts parsed and known registers.</summary>
public class VendorSvdTests
{
    private static (DeviceDescription Device, SvdReadResult Result) Read(string file)
    {
        SvdReadResult result = SvdReader.ReadFile(SvdText.Vendor(file));
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "SVD999");
        return (Assert.IsType<DeviceDescription>(result.Device), result);
    }

    private static (int Peripherals, int Registers, int Fields) Count(DeviceDescription d) =>
        (d.Peripherals.Count, d.Peripherals.Sum(p => p.Registers.Count), d.Peripherals.Sum(p => p.Registers.Sum(r => r.Register.Fields.Count)));

    [Theory]
    [InlineData("rp2040.svd", 35, 1114, 4821)]
    [InlineData("nrf51.svd", 31, 680, 1214)]
    [InlineData("ATSAMD21G18A.svd", 34, 1258, 5030)]
    public void Vendor_files_parse_without_diagnostics(string file, int peripherals, int registers, int fields)
    {
        (DeviceDescription d, SvdReadResult r) = Read(file);
        Assert.True(r.Diagnostics.Count == 0, r.ToString());
        Assert.Equal((peripherals, registers, fields), Count(d));
    }

    [Fact]
    public void Rp2040_registers_offsets_resets_fields_and_derived_peripherals()
    {
        DeviceDescription d = Read("rp2040.svd").Device;
        PeripheralDescription uart0 = d.FindPeripheral("UART0")!;
        PeripheralDescription uart1 = d.FindPeripheral("UART1")!;
        Assert.Equal((0x40034000UL, 0x40038000UL, "UART0"), (uart0.BaseAddress, uart1.BaseAddress, uart1.DerivedFrom));

        // The RP2040's UARTs are PL011s: same offsets and reset values as pl011.svd.
        RegisterInstance cr = uart1.FindRegister("UARTCR")!;
        Assert.Equal((0x30UL, 0x300UL), (cr.Offset, cr.Register.ResetValue));
        Assert.Equal((0, 0), (cr.Register.FindField("UARTEN")!.Lsb, cr.Register.FindField("UARTEN")!.Msb));
        Assert.Equal(0x11UL, uart0.FindRegister("UARTPERIPHID0")!.Register.ResetValue);
        Assert.Equal(0xB1UL, uart0.FindRegister("UARTPCELLID3")!.Register.ResetValue);
        Assert.Equal((0x18UL, AccessType.ReadOnly), (uart0.FindRegister("UARTFR")!.Offset, uart0.FindRegister("UARTFR")!.Register.FindField("TXFE")!.Access));
    }

    [Fact]
    public void Nrf51_clusters_arrays_and_read_actions()
    {
        DeviceDescription d = Read("nrf51.svd").Device;
        PeripheralDescription ppi = d.FindPeripheral("PPI")!;
        RegisterInstance en = ppi.FindRegister("TASKS_CHG[3].EN")!;
        Assert.Equal(0x18UL, en.Offset);
        Assert.Equal(AccessType.WriteOnly, en.Register.Access);

        PeripheralDescription uart = d.FindPeripheral("UART0")!;
        RegisterInstance rxd = uart.FindRegister("RXD")!;
        Assert.Equal((0x518UL, ReadAction.ModifyExternal), (rxd.Offset, rxd.Register.ReadAction));
        Assert.Equal((0x40002000UL, 0x40009000UL), (uart.BaseAddress, d.FindPeripheral("TIMER1")!.BaseAddress));
    }

    [Fact]
    public void Samd21_modes_as_alternate_clusters_and_register_arrays()
    {
        DeviceDescription d = Read("ATSAMD21G18A.svd").Device;
        PeripheralDescription sercom = d.FindPeripheral("SERCOM0")!;
        RegisterInstance ctrla = sercom.FindRegister("USART.CTRLA")!;
        Assert.Equal(0x0UL, ctrla.Offset);
        Assert.Equal((0, 0), (ctrla.Register.FindField("SWRST")!.Lsb, ctrla.Register.FindField("SWRST")!.Msb));
        Assert.Equal("I2CM", sercom.Children.OfType<ClusterDescription>().Single(c => c.Name == "USART").AlternateCluster);
        Assert.Equal(0x42000800UL, sercom.BaseAddress);

        // PMUX1_%s derives from the array PMUX0_%s by its template name, keeping its 8-bit size and fields.
        PeripheralDescription port = d.FindPeripheral("PORT")!;
        RegisterInstance pmux = port.FindRegister("PMUX1_3")!;
        Assert.Equal((0xB3UL, 8), (pmux.Offset, pmux.Register.Size));
        Assert.NotNull(pmux.Register.FindField("PMUXE"));
        Assert.NotNull(port.FindRegister("PINCFG0_31"));
    }

    [Fact]
    public void E310x_reports_its_two_real_mistakes_and_reads_the_rest()
    {
        (DeviceDescription d, SvdReadResult r) = Read("e310x.svd");
        SvdDiagnostic error = Assert.Single(r.Diagnostics, x => x.Severity == SvdSeverity.Error);
        Assert.Equal(("SVD010", "field", "PWM0.cfg.cmp2gang", 2051), (error.Code, error.Element, error.Path, error.Location.Line));
        SvdDiagnostic warning = Assert.Single(r.Diagnostics, x => x.Severity == SvdSeverity.Warning);
        Assert.Equal(("SVD013", 1995), (warning.Code, warning.Location.Line));

        Assert.Equal((19, 237, 874), Count(d));
        Assert.Equal(0x10013000UL, d.FindPeripheral("UART0")!.BaseAddress);
        Assert.Equal(0x10023000UL, d.FindPeripheral("UART1")!.BaseAddress);
        Assert.NotNull(d.FindPeripheral("UART1")!.FindRegister("txdata"));
    }
}
