namespace IoSys.Samples.Edu.Demo;

/// <summary>Parses edu-demo's TARGET and opens it.</summary>
public static class EduTargets
{
    /// <summary>Opens <c>sim:edu</c>, <c>uio:N</c> / <c>uio:NAME</c>, or (where built in) <c>vfio:ADDR</c>.</summary>
    /// <param name="target">The target text.</param>
    /// <param name="options">For <c>sim:edu</c>: the simulated device's timings (tests make them short). Default: QEMU's.</param>
    /// <returns>The open target.</returns>
    /// <exception cref="ArgumentException">The target is not one of the forms above.</exception>
    /// <exception cref="NotSupportedException">A <c>vfio:</c> target, in a build without the VFIO library.</exception>
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
            "vfio" => throw new NotSupportedException($"'{target}': this build has no VFIO target yet (it comes with IoSys.Linux's VFIO library)."),
            _ => throw new ArgumentException($"'{target}' is not a target: use sim:edu, uio:N or uio:NAME, or vfio:ADDR.", nameof(target)),
        };
    }
}
