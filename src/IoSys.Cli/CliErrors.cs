namespace IoSys.Cli;

/// <summary>The command line is wrong (bad number, bad target, value too wide...): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command was fine but could not be carried out (device, file, check refused): exit code 1.</summary>
internal sealed class CliRuntimeException(string message) : Exception(message);

/// <summary>Process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Runtime = 1;
    public const int Usage = 2;
}
