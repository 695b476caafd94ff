using System.CommandLine;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Registers;

/// <summary>The <c>--svd FILE</c> and <c>--peripheral NAME</c> options of the commands that take register names.</summary>
internal sealed class SvdOptions
{
    public Option<string?> Svd { get; } = new("--svd")
    {
        Description = "Register description (CMSIS-SVD): register names where offsets go (CR, CR.UARTEN), field values where values go (CR.UARTEN=1)",
        HelpName = "FILE",
    };

    public Option<string?> Peripheral { get; } = new("--peripheral")
    {
        Description = "The peripheral of the description to use (needed when it has several and a mem: target's address does not pick one)",
        HelpName = "NAME",
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Svd);
        command.Options.Add(Peripheral);
    }

    /// <summary>
    /// The description laid over <paramref name="target"/>: from <c>--svd</c>, else the one a batch opened with; null
    /// when neither gives one (then <c>--peripheral</c> is an error).
    /// </summary>
    public RegisterView? Load(ParseResult result, TargetSpec target, CliContext context)
    {
        string? path = result.GetValue(Svd);
        string? peripheral = result.GetValue(Peripheral);
        if (path is null)
        {
            path = context.BatchSvd;
            peripheral ??= context.BatchPeripheral;
        }

        if (path is null)
        {
            return peripheral is null ? null : throw new UsageException($"--peripheral {peripheral} needs --svd FILE");
        }

        return RegisterView.Load(path, peripheral, target, context);
    }
}
