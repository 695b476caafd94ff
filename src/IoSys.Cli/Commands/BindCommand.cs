using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Linux;

namespace IoSys.Cli.Commands;

/// <summary>
/// <c>bind DEVICE DRIVER</c> and <c>unbind DEVICE</c>: move a PCI device to a driver (e.g. vfio-pci) through
/// driver_override, and hand it back to the driver it had (IoSys.Linux's <see cref="PciBinding"/>).
/// </summary>
internal static class BindCommand
{
    public static Command CreateBind(CliContext context)
    {
        Argument<string> device = Device();
        Argument<string> driver = new("driver") { Description = "A loaded PCI driver, e.g. vfio-pci" };
        Option<string> state = StateDirectory();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bind",
            "Bind a PCI device to a driver (driver_override, unbind, drivers_probe; root). The driver it had is remembered for 'iosys unbind'. " +
            "For vfio-pci, every other device in its IOMMU group must be unbound or held by vfio-pci")
        { device, driver, state, json };
        command.SetAction(result =>
        {
            string name = result.GetRequiredValue(driver);
            PciBindResult done = Run(result, device, () => PciBinding.Bind(result.GetRequiredValue(device), name, context.SysfsRoot, result.GetRequiredValue(state)));
            return Report(context, result.GetValue(json), done, $"already bound to {name}");
        });
        return command;
    }

    public static Command CreateUnbind(CliContext context)
    {
        Argument<string> device = Device();
        Option<string> state = StateDirectory();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("unbind", "Hand a PCI device back to the driver it had before 'iosys bind' (or leave it with none; root)") { device, state, json };
        command.SetAction(result =>
        {
            PciBindResult done = Run(result, device, () => PciBinding.Unbind(result.GetRequiredValue(device), context.SysfsRoot, result.GetRequiredValue(state)));
            return Report(context, result.GetValue(json), done, "already with the driver it had");
        });
        return command;
    }

    private static Argument<string> Device() => new("device") { Description = "The PCI device: an address (0000:00:04.0, 00:04.0) or vendor:device[#N]" };

    private static Option<string> StateDirectory() => new("--state-dir")
    {
        Description = "Where the driver a device had before 'bind' is remembered",
        HelpName = "DIR",
        DefaultValueFactory = _ => PciBinding.DefaultStateDirectory,
    };

    private static PciBindResult Run(ParseResult result, Argument<string> device, Func<PciBindResult> action)
    {
        try
        {
            return action();
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            // A malformed device or driver name: the command line is wrong.
            throw new UsageException(ErrorReporter.OneLine(e) + $" (device '{result.GetRequiredValue(device)}')");
        }
    }

    private static int Report(CliContext context, bool json, PciBindResult done, string unchanged)
    {
        if (json)
        {
            JsonOutput.Write(context.Out, new JsonBindResult(done.Address, done.PreviousDriver, done.Driver, done.Changed), CliJsonContext.Default.JsonBindResult);
        }
        else
        {
            context.Out.Write(done.Changed
                ? $"{done.Address}: {done.PreviousDriver ?? "(no driver)"} -> {done.Driver ?? "(no driver)"}\n"
                : $"{done.Address}: {unchanged}\n");
        }

        return ExitCodes.Ok;
    }
}
