namespace IoSys.Linux.Vfio;

/// <summary>
/// A VFIO operation the kernel refused, or a setup step that is missing (modules not loaded, no IOMMU, device not
/// bound, group not viable, memlock limit too low). The message says what failed and what to do about it.
/// </summary>
/// <example>
/// <code>
/// try { using var dev = VfioDevice.Open("0000:00:02.0"); }
/// catch (VfioException e) { Console.Error.WriteLine($"{e.Message} (errno {e.Errno})"); }
/// </code>
/// </example>
public sealed class VfioException : IOException
{
    /// <summary>Creates an exception with no errno.</summary>
    public VfioException()
    {
    }

    /// <summary>Creates an exception with a message and no errno.</summary>
    /// <param name="message">What failed and what to do.</param>
    public VfioException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public VfioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a message and the errno the kernel returned.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="errno">The errno; 0 when the failure was found without a system call.</param>
    public VfioException(string message, int errno)
        : base(message) => Errno = errno;

    /// <summary>The errno of the failed call, or 0 when the failure was found without one.</summary>
    public int Errno { get; }
}

/// <summary>Turns a failed VFIO call into an exception that says what to do.</summary>
internal static class VfioErrors
{
    public const string BindHint =
        "bind it to vfio-pci: echo vfio-pci > /sys/bus/pci/devices/ADDR/driver_override; echo ADDR > /sys/bus/pci/drivers_probe (or `iosys bind ADDR vfio-pci`)";

    /// <summary>The exception for a failed ioctl <paramref name="what"/> on <paramref name="subject"/>.</summary>
    public static VfioException ForIoctl(string what, string subject, int errno)
    {
        string cause = LibC.Describe(errno);
        string advice = errno switch
        {
            VfioNative.ENOTTY => "the kernel does not know this ioctl: it lacks VFIO type1 support (CONFIG_VFIO_IOMMU_TYPE1), or the number is wrong",
            LibC.EPERM when what.Contains("IOMMU", StringComparison.Ordinal) || what.Contains("CONTAINER", StringComparison.Ordinal) =>
                "the platform cannot remap interrupts, so type1 refuses the device; enable interrupt remapping (x86: intel_iommu=on with intremap, " +
                "QEMU: -device intel-iommu,intremap=on; arm64: a GICv3 with an ITS, QEMU: -M virt,gic-version=3) or, knowing the device can then " +
                "forge MSIs, load vfio_iommu_type1 with allow_unsafe_interrupts=1",
            LibC.EPERM or LibC.EACCES => "permission denied; run as root or give your user the group's /dev/vfio/N node",
            LibC.ENOMEM => MemlockAdvice(0),
            LibC.EBUSY => "another process or container holds it",
            LibC.EINVAL => "the kernel refused the arguments",
            LibC.ENODEV or LibC.ENXIO => "the device is gone or not bound to vfio-pci",
            VfioNative.ENOSPC => "the IOMMU's mapping limit is reached (type1 allows 65535 by default): carve small buffers out of one VfioDmaPool",
            _ => "see dmesg for the kernel's reason",
        };
        return new VfioException($"{what} on {subject} failed: {cause}; {advice}.", errno);
    }

    /// <summary>
    /// Why <paramref name="address"/> has no reset, with the kernel's <c>reset_method</c> list when it could be read,
    /// and what would give it one.
    /// </summary>
    public static string NoReset(string address, string? resetMethods) =>
        $"{address} reports no reset method (VFIO_DEVICE_FLAGS_RESET is clear; the kernel's reset_method for it is " +
        $"{(resetMethods is null ? "unreadable" : $"'{resetMethods}'")}): it has no FLR or PM reset, and no bus reset the kernel can use alone. " +
        "A bus reset needs a parent bridge and the device alone on its bus: a conventional device on the root bus has none, " +
        "behind a PCIe root port it gets one. A bus shared with other devices needs VFIO_DEVICE_PCI_HOT_RESET with every affected group, " +
        "which this library does not offer";

    /// <summary>A failed <c>VFIO_DEVICE_RESET</c>: the kernel's refusal with reset-specific advice.</summary>
    public static VfioException ForReset(string address, int errno, string? resetMethods) => errno switch
    {
        LibC.EAGAIN => new VfioException(
            $"VFIO_DEVICE_RESET on {address} failed: {LibC.Describe(errno)}; the device (or a device on its bus) is locked by another reset or " +
            "config access: retry.", errno),
        VfioNative.ENOTTY or LibC.EINVAL => new VfioException($"VFIO_DEVICE_RESET on {address} failed: {LibC.Describe(errno)}; {NoReset(address, resetMethods)}.", errno),
        _ => ForIoctl("VFIO_DEVICE_RESET", address, errno),
    };

    /// <summary>What to say when pinning fails: the memlock limit and how many bytes were needed.</summary>
    public static string MemlockAdvice(ulong needed)
    {
        ulong? limit = VfioNative.MemlockLimit();
        string limitText = limit is { } l ? $"RLIMIT_MEMLOCK is {l} bytes" : "RLIMIT_MEMLOCK is unlimited or unreadable";
        string neededText = needed == 0 ? "" : $", and {needed} more bytes were needed";
        return $"out of lockable memory ({limitText}{neededText}): raise it with `ulimit -l` (in KiB) or a memlock line in " +
            "/etc/security/limits.conf (systemd: LimitMEMLOCK=), or run with CAP_IPC_LOCK";
    }
}
