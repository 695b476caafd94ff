using IoSys.Cli.Parsing;
using IoSys.Linux.Vfio;

namespace IoSys.Cli.Targets;

/// <summary>
/// The <c>vfio:ADDR|vvvv:dddd[/barN|/config]</c> target: a region of a device bound to vfio-pci, opened through
/// <see cref="VfioDevice"/> (BARs mmapped or through pread/pwrite as the kernel allows; config space 1/2/4-byte).
/// </summary>
internal static class VfioTarget
{
    /// <summary>The region index of <c>/config</c> (vfio-pci's config region).</summary>
    public const int ConfigIndex = VfioRegionInfo.Config;

    /// <summary>Parses what follows <c>vfio:</c>: a device name, then <c>/barN</c> (0-5; default 0) or <c>/config</c>.</summary>
    public static TargetSpec Parse(string text, string rest)
    {
        string device = rest;
        int index = 0;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            device = rest[..slash];
            string region = rest[(slash + 1)..];
            if (region == "config")
            {
                index = ConfigIndex;
            }
            else if (region.Length == 4 && region.StartsWith("bar", StringComparison.Ordinal) && region[3] is >= '0' and <= '5')
            {
                index = region[3] - '0';
            }
            else
            {
                throw Bad(text, $"'/{region}' is not a region: use /bar0 to /bar5 or /config");
            }
        }

        if (!VfioDeviceName.IsId(device) && !VfioDeviceName.IsAddress(device))
        {
            throw Bad(text, "vfio: needs a device address (0000:00:02.0 or 00:02.0) or a vendor:device id that matches one device (1234:11e8), then /barN or /config optionally");
        }

        return new(TargetKind.Vfio, text, VfioDeviceName.Normalize(device), index);
    }

    /// <summary>Opens the device and maps the region; the device stays open until the target is disposed.</summary>
    public static OpenTarget Open(TargetSpec spec, bool readOnly, CliContext context)
    {
        VfioDevice device = VfioDevice.Open(spec.Name!, new VfioOpenOptions { SysfsRoot = context.SysfsRoot, DevRoot = context.DevRoot });
        try
        {
            IoSysMap map = device.OpenRegion(spec.Index, readOnly ? IoMapOptions.IoMemory.AsReadOnly() : IoMapOptions.IoMemory);
            return new(spec, map, device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private static UsageException Bad(string text, string why) => new($"bad target '{text}': {why}");
}
