using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace IoSys.Cli.Output;

/// <summary>One value read: offset in bytes, value, and the value as <c>0x</c> hex padded to the width.</summary>
internal sealed record JsonValueItem(long Offset, ulong Value, string Hex);

/// <summary><c>read --json</c>.</summary>
internal sealed record JsonReadResult(string Target, int Width, IReadOnlyList<JsonValueItem> Values);

/// <summary><c>poll --json</c>.</summary>
internal sealed record JsonPollResult(string Target, long Offset, int Width, ulong Mask, [property: JsonPropertyName("equals")] ulong EqualsValue, ulong Value, string Hex, double ElapsedMs);

/// <summary>A PCI BAR in <c>list --json</c>.</summary>
internal sealed record JsonBar(int Index, string Kind, ulong Address, long Size, bool Prefetchable, bool Is64Bit, string Target);

/// <summary>A PCI device in <c>list --json</c>.</summary>
internal sealed record JsonPciDevice(string Address, string VendorId, string DeviceId, string ClassCode, string? Driver, IReadOnlyList<JsonBar> Bars)
{
    /// <summary>Memory decoding (PCI command bit 1): true on, false off (BAR reads would give all-ones), null unknown (config space unreadable).</summary>
    public bool? MemoryDecoding { get; init; }

    /// <summary>The device's IOMMU group number, or null without one (no IOMMU, or not readable).</summary>
    public int? IommuGroup { get; init; }

    /// <summary>The other devices in its IOMMU group, by address (empty without a group).</summary>
    public IReadOnlyList<string> IommuGroupMembers { get; init; } = [];
}

/// <summary>A UIO map in <c>list --json</c>.</summary>
internal sealed record JsonUioMap(int Index, string Name, ulong Address, long Size, string Target);

/// <summary>A UIO device in <c>list --json</c>.</summary>
internal sealed record JsonUioDevice(int Number, string Name, string? Version, IReadOnlyList<JsonUioMap> Maps);

/// <summary>A simulated device in <c>list --json</c>.</summary>
internal sealed record JsonSimDevice(string Name, string Target, long Size, string Description);

/// <summary><c>list --json</c>.</summary>
internal sealed record JsonListResult(
    IReadOnlyList<JsonPciDevice> Pci, IReadOnlyList<JsonUioDevice> Uio, IReadOnlyList<JsonSimDevice> Simulated, IReadOnlyList<string> Warnings);

/// <summary><c>bind --json</c> and <c>unbind --json</c>: the device, the driver it had and the driver it has now.</summary>
internal sealed record JsonBindResult(string Address, string? PreviousDriver, string? Driver, bool Changed);

/// <summary>Source-generated serializers, so <c>--json</c> works in the NativeAOT binary without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(JsonReadResult))]
[JsonSerializable(typeof(JsonPollResult))]
[JsonSerializable(typeof(JsonListResult))]
[JsonSerializable(typeof(JsonBindResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>Writes JSON documents to the text output.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter output, T value, JsonTypeInfo<T> type)
    {
        output.Write(JsonSerializer.Serialize(value, type));
        output.Write('\n');
    }
}
