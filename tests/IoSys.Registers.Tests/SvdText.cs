using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

/// <summary>Builds small SVD documents for tests and reads them.</summary>
internal static class SvdText
{
    public const string FileName = "test.svd";

    /// <summary>A device with the given peripherals (and device-level elements before them).</summary>
    public static string Device(string peripherals, string deviceElements = "") =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<device schemaVersion=\"1.3\">\n<name>TEST</name>\n" + deviceElements + "\n<peripherals>\n" + peripherals + "\n</peripherals>\n</device>\n";

    /// <summary>A device with one peripheral P at 0x40000000 holding the given registers (and peripheral-level elements).</summary>
    public static string Registers(string registers, string peripheralElements = "", string deviceElements = "") =>
        Device("<peripheral>\n<name>P</name>\n<baseAddress>0x40000000</baseAddress>\n" + peripheralElements + "\n<registers>\n" + registers + "\n</registers>\n</peripheral>", deviceElements);

    public static SvdReadResult Parse(string xml) => SvdReader.Parse(xml, FileName);

    /// <summary>Parses and asserts that there is no diagnostic at all.</summary>
    public static DeviceDescription Clean(string xml)
    {
        SvdReadResult result = Parse(xml);
        Assert.True(result.Diagnostics.Count == 0, result.ToString());
        return Assert.IsType<DeviceDescription>(result.Device);
    }

    /// <summary>The single peripheral of a clean parse.</summary>
    public static PeripheralDescription Peripheral(string registersXml, string peripheralElements = "", string deviceElements = "") =>
        Assert.Single(Clean(Registers(registersXml, peripheralElements, deviceElements)).Peripherals);

    /// <summary>The 1-based line of the first occurrence of <paramref name="marker"/>.</summary>
    public static int LineOf(string xml, string marker)
    {
        int at = xml.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"marker '{marker}' not in the document");
        return xml.AsSpan(0, at).Count('\n') + 1;
    }

    public static string Vendor(string name) => Path.Combine(AppContext.BaseDirectory, "vendor", name);

    public static string Shipped(string name) => Path.Combine(AppContext.BaseDirectory, "svd", name);
}
