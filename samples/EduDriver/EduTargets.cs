namespace IoSys.Samples.Edu.Demo;

/// <summary>Parses edu-demo's TARGET and opens it.</summary>
public static class EduTargets
{
    /// <summary>Opens <c>sim:edu</c>, <c>uio:N</c> / <c>uio:NAME</c>, or <c>vfio:ADDR</c> / <c>vfio:vvvv:dddd</c> (MSI; append <c>/intx</c> for INTx).</summary>
    /// <param name="target">The target text.</param>
    /// <param name="options">For <c>sim:edu</c>: the simulated device's timings (tests make them short). Default: QEMU's.</param>
    /// <returns>The open target.</returns>
    /// <exception cref="ArgumentException">The target is not one of the forms above.</exception>
    /// <exception cref="IoSys.Linux.Vfio.VfioException">A <c>vfio:</c> device cannot be opened (the message says what to do).</exception>
    public static IEduTarget Open(string target, IoSys.Simulation.EduDeviceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        int colon = target.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon > 0 ? target[..colon] : "", rest = colon > 0 ? target[(colon + 1)..] : "";
        return scheme switch
        {
            "sim" when rest == "edu" => new SimulatedEduTarget(options),
            "sim" => throw new ArgumentException($"'{target}': the only simulated device is sim:edu.", nameof(target)),
            "uio" when rest.Length > 0 => UioEduTarget.Open(rest),
            "vfio" when rest.EndsWith("/intx", StringComparison.Ordinal) => VfioEduTarget.Open(rest[..^"/intx".Length], IoSys.Linux.Vfio.VfioIrqKind.Intx),
            "vfio" when rest.Length > 0 => VfioEduTarget.Open(rest),
            _ => throw new ArgumentException($"'{target}' is not a target: use sim:edu, uio:N or uio:NAME, or vfio:ADDR.", nameof(target)),
        };
    }
}
