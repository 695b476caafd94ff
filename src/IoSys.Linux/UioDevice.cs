using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>
/// An open UIO device, <c>/dev/uioN</c>: maps its memory regions and waits for its interrupts.
/// </summary>
/// <remarks>
/// <para>Opening needs read-write access to <c>/dev/uioN</c> (root by default; see docs/targets.md for a udev rule).</para>
/// <para>Maps returned by <see cref="MapRegion"/> own their own mapping: they stay valid after this object is
/// disposed, until they are disposed themselves.</para>
/// <para>Interrupts: the kernel counts them; each wait returns the total count since the device was registered.
/// An interrupt that arrives between two waits is not lost: the next wait returns at once. If the count advanced by
/// more than one since the previous wait, several interrupts arrived in between and were merged into one wake-up.
/// Drivers such as <c>uio_pci_generic</c> mask the interrupt when it fires, so call <see cref="EnableInterrupts"/>
/// again after handling each one.</para>
/// </remarks>
public sealed class UioDevice : IDisposable
{
    // Cancellation is observed between poll slices, so a cancel takes effect within this time.
    private const int PollSliceMilliseconds = 50;

    private const string PermissionHint =
        "UIO device nodes are root-only by default: run as root, or add a udev rule such as " +
        "SUBSYSTEM==\"uio\", GROUP=\"uio\", MODE=\"0660\" and add your user to the uio group";

    // What a device node may be outside /dev (test roots): maps need a character device or a regular file.
    private const StatKinds NodeKinds = StatKinds.CharacterDevice | StatKinds.Regular | StatKinds.Fifo;

    private readonly SafeFileHandle _file;

    // Set by Dispose. SafeHandle.IsClosed stays false while a wait holds a reference (DangerousAddRef), so the
    // wait loop needs this flag to see a concurrent Dispose.
    private volatile bool _disposed;

    private readonly string _sysfsRoot;

    private UioDevice(UioDeviceInfo info, string devicePath, SafeFileHandle file, string sysfsRoot)
    {
        _sysfsRoot = sysfsRoot;
        Info = info;
        DevicePath = devicePath;
        _file = file;
    }

    /// <summary>The device's sysfs description (name, version, maps).</summary>
    public UioDeviceInfo Info { get; }

    /// <summary>N in <c>uioN</c>.</summary>
    public int Number => Info.Number;

    /// <summary>The driver's name for the device.</summary>
    public string Name => Info.Name;

    /// <summary>The device node, e.g. <c>/dev/uio0</c>.</summary>
    public string DevicePath { get; }

    /// <summary>The interrupt count returned by the last successful wait, or null before the first.</summary>
    public uint? LastEventCount { get; private set; }

    /// <summary>Opens a UIO device by number or name.</summary>
    /// <param name="numberOrName">"0" or "uio0" for <c>/dev/uio0</c>; otherwise the device's name (its sysfs <c>name</c>), which must be unique.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <param name="devRoot">Where the device nodes are. Default: <c>/dev</c>.</param>
    /// <returns>The open device; dispose it to close <c>/dev/uioN</c>.</returns>
    /// <exception cref="ArgumentException">The name is empty, or more than one device has it.</exception>
    /// <exception cref="FileNotFoundException">No such device, or its device node is missing.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied (needs root or a udev rule).</exception>
    /// <exception cref="InvalidDataException">The device's sysfs files are malformed.</exception>
    /// <exception cref="IOException">The device node could not be opened, is a symbolic link, or is not a character device
    /// (under a test <paramref name="devRoot"/> other than <c>/dev</c>, a regular file or FIFO is accepted in its place).</exception>
    public static UioDevice Open(string numberOrName, string sysfsRoot = "/sys", string devRoot = "/dev")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(numberOrName);
        ArgumentException.ThrowIfNullOrEmpty(devRoot);
        string key = numberOrName.Trim();
        UioDeviceInfo info;
        if (UioDevices.ParseNumber(key) is { } number)
        {
            info = UioDevices.Get(number, sysfsRoot);
        }
        else
        {
            IReadOnlyList<UioDeviceInfo> all = UioDevices.Enumerate(sysfsRoot, out IReadOnlyList<SkippedEntry> skipped);
            UioDeviceInfo[] matches = all.Where(d => d.Name == key).ToArray();
            if (matches.Length > 1)
            {
                throw new ArgumentException(
                    $"More than one UIO device is named '{key}' ({string.Join(", ", matches.Select(m => $"uio{m.Number}"))}): open one by number.",
                    nameof(numberOrName));
            }

            if (matches.Length == 0)
            {
                string present = all.Count == 0 ? "none is registered" : "present: " + string.Join(", ", all.Select(d => $"uio{d.Number} ({d.Name})"));
                string note = skipped.Count == 0 ? "" : $"; {skipped.Count} unreadable entries were skipped, e.g. {skipped[0].Path}: {skipped[0].Reason}";
                throw new FileNotFoundException(
                    $"No UIO device named '{key}' under '{UioDevices.ClassDirectory(sysfsRoot)}' ({present}{note}).", UioDevices.ClassDirectory(sysfsRoot));
            }

            info = matches[0];
        }

        string devicePath = Path.Join(devRoot, $"uio{info.Number}");
        // Non-blocking: if another thread consumed the event that poll reported, read says EAGAIN and the wait goes
        // back to poll, instead of blocking past its timeout.
        // Under the real /dev the node must be a character device; a test root may hold a regular file (maps) or a
        // FIFO (interrupts) in its place. Never through a symbolic link.
        StatKinds allowed = NativeFile.IsUnder(devicePath, "/dev") ? StatKinds.CharacterDevice : NodeKinds;
        SafeFileHandle file = NativeFile.OpenChecked(devicePath, LibC.O_RDWR | LibC.O_NONBLOCK, allowed, $"UIO device uio{info.Number} ({info.Name})",
            PermissionHint, noFollow: true);
        return new UioDevice(info, devicePath, file, sysfsRoot);
    }

    /// <summary>Maps memory region <paramref name="index"/> of the device, as I/O memory by default.</summary>
    /// <param name="index">The map number (see <see cref="UioDeviceInfo.Maps"/>). Default: 0.</param>
    /// <param name="options">Space, widths and read-only. Default: <see cref="IoMapOptions.IoMemory"/>; a read-only option maps the pages read-only.</param>
    /// <returns>
    /// A map starting exactly at the region (its <see cref="UioMapInfo.Offset"/> within the page), of the region's
    /// size in bytes, or less where the driver's size counts from the page start (<c>uio_pci_generic</c>): the map
    /// never reaches past the pages the kernel maps. It owns its mapping.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The device has no map <paramref name="index"/>.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    /// <exception cref="UnauthorizedAccessException">The kernel refused the mapping for lack of permission.</exception>
    /// <exception cref="IOException">The kernel refused the mapping, or the device node is a regular file (test root) too short for the map.</exception>
    public IoSysMap MapRegion(int index = 0, IoMapOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed || _file.IsClosed, this);
        IReadOnlyList<UioMapInfo> maps = Info.Maps;
        if ((uint)index >= (uint)maps.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, maps.Count == 0
                ? $"UIO device {DevicePath} ({Name}) has no memory maps{(Name == "uio_pci_generic" ? ": map its BARs with PciDevices.OpenBar instead" : "")}."
                : $"UIO device {DevicePath} ({Name}) has maps 0 to {maps.Count - 1}; there is no map {index}.");
        }

        UioMapInfo map = maps[index];
        bool readOnly = options?.ReadOnly == true;
        IoMapOptions mapOptions = NativeFile.Resolve(options, null, IoSpace.IoMemory, readOnly);
        long pageSize = Environment.SystemPageSize;

        // The kernel lets a map's mmap cover the pages spanning [addr, addr + size) (uio_mmap); drivers disagree on
        // whether size counts from addr or from the offset (uio_pci_generic rounds size up from a page-aligned addr
        // and sets offset too), so clip the length to what that page range holds past the offset: never more pages
        // than the kernel allows, never a map that reaches past the mapping.
        long addressInPage = (long)(map.PhysicalAddress % (ulong)pageSize);
        long available = (addressInPage + map.Size + pageSize - 1) / pageSize * pageSize - map.Offset;
        long length = Math.Min(map.Size, available);
        if (length <= 0)
        {
            throw new IOException(
                $"Map {index} of UIO device {DevicePath} ({Name}) is unusable: offset {map.Offset} lies beyond its {map.Size} bytes.");
        }

        long fileOffset = index * pageSize;
        MmapRegion region;
        try
        {
            region = MmapRegion.Map(_file, DevicePath, fileOffset, map.Offset, length, !readOnly, PermissionHint,
                StatKinds.CharacterDevice | StatKinds.Regular, $"map {index} of UIO device uio{Number} ({Name})");
        }
        catch (IOException e) when (map.Size % pageSize != 0 || addressInPage != 0)
        {
            // Physical UIO maps must start on a page and span whole pages; the kernel says only EINVAL/ENODEV.
            throw new IOException(
                $"{e.Message} Map {index} of {Name} ({LinuxErrors.Hex(map.PhysicalAddress)}, {map.Size} bytes) is not a whole number of pages " +
                "from a page boundary, which the kernel refuses to mmap for physical UIO memory: the driver must describe it page aligned.", e);
        }

        return region.CreateMap(mapOptions, $"uio{Number} map {index}");
    }

    /// <summary>
    /// Unmasks the device's interrupt: writes a 4-byte 1 to <c>/dev/uioN</c> (irqcontrol). For a PCI device whose
    /// driver has no irqcontrol (<c>uio_pci_generic</c>), clears INTx Disable in the PCI command register instead,
    /// through sysfs <c>config</c>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    /// <exception cref="IOException">The device has no interrupt, its driver does not support interrupt control, or the write failed.</exception>
    public void EnableInterrupts() => WriteIrqControl(1);

    /// <summary>Masks the device's interrupt: writes a 4-byte 0 to <c>/dev/uioN</c> (irqcontrol), or sets INTx Disable (see <see cref="EnableInterrupts"/>).</summary>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    /// <exception cref="IOException">The device has no interrupt, its driver does not support interrupt control, or the write failed.</exception>
    public void DisableInterrupts() => WriteIrqControl(0);

    /// <summary>
    /// Blocks until the device raises an interrupt, the timeout passes, or <paramref name="cancellationToken"/>
    /// is cancelled (observed within 50 ms). Disposing the device from another thread ends the wait with
    /// <see cref="ObjectDisposedException"/>, also within 50 ms.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever; zero only checks.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The device's interrupt count: the total since it was registered.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or too large.</exception>
    /// <exception cref="ObjectDisposedException">The device is disposed, before or during the wait.</exception>
    /// <exception cref="TimeoutException">No interrupt arrived in time; the message names the device and the timeout.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="IOException">The device has no interrupt, or the read failed.</exception>
    public uint WaitForInterrupt(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        if (!infinite && (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be between 0 and int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan.");
        }

        ObjectDisposedException.ThrowIf(_disposed || _file.IsClosed, this);
        bool added = false;
        try
        {
            // Hold the descriptor so a concurrent Dispose cannot close (and the process reuse) it mid-wait.
            _file.DangerousAddRef(ref added);
            int fd = (int)_file.DangerousGetHandle();
            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                // The reference held above keeps a concurrent Dispose from closing the descriptor (so poll never
                // reports POLLNVAL, and IsClosed stays false until the reference is released); Dispose sets
                // _disposed, which each bounded poll slice (at most PollSliceMilliseconds) observes here.
                ObjectDisposedException.ThrowIf(_disposed || _file.IsClosed, this);
                cancellationToken.ThrowIfCancellationRequested();
                int slice = PollSliceMilliseconds;
                if (!infinite)
                {
                    long left = (long)Math.Ceiling((timeout - Stopwatch.GetElapsedTime(start)).TotalMilliseconds);
                    slice = (int)Math.Clamp(left, 0, PollSliceMilliseconds);
                }

                short revents = PollOnce(fd, slice);
                if (revents != 0 && TryReadCount(fd, out uint count))
                {
                    LastEventCount = count;
                    return count;
                }

                if (!infinite && Stopwatch.GetElapsedTime(start) >= timeout)
                {
                    throw new TimeoutException(
                        $"No interrupt from UIO device {DevicePath} ({Name}) within {timeout.TotalMilliseconds:0.###} ms. " +
                        "Check that interrupts are enabled (EnableInterrupts, again after each one for drivers that mask them) and that the device raised one.");
                }
            }
        }
        finally
        {
            if (added)
            {
                _file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Waits for an interrupt without blocking the caller: <see cref="WaitForInterrupt"/> on a thread-pool thread.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels the wait (observed within 50 ms).</param>
    /// <returns>The device's interrupt count; faults with the exceptions of <see cref="WaitForInterrupt"/>.</returns>
    public Task<uint> WaitForInterruptAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed || _file.IsClosed, this);
        return Task.Run(() => WaitForInterrupt(timeout, cancellationToken), cancellationToken);
    }

    /// <summary>Closes <c>/dev/uioN</c>. Maps made by <see cref="MapRegion"/> are not affected. Idempotent.</summary>
    public void Dispose()
    {
        _disposed = true;
        _file.Dispose();
    }

    private short PollOnce(int fd, int milliseconds)
    {
        var pfd = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
        int ready;
        unsafe
        {
            // SAFETY: pfd is a local on this stack frame, one element long, and poll writes only its Revents.
            ready = LibC.Poll(&pfd, 1, milliseconds);
        }

        if (ready < 0)
        {
            int errno = LibC.LastError;
            if (errno == LibC.EINTR)
            {
                return 0;
            }

            throw new IOException($"Waiting for an interrupt from UIO device {DevicePath} ({Name}) failed: poll: {LibC.Describe(errno)}.");
        }

        return ready == 0 ? (short)0 : pfd.Revents;
    }

    private bool TryReadCount(int fd, out uint count)
    {
        uint value = 0;
        nint read;
        unsafe
        {
            // SAFETY: value is a 4-byte local; read writes at most the 4 bytes asked for.
            read = LibC.Read(fd, &value, sizeof(uint));
        }

        if (read == sizeof(uint))
        {
            count = value;
            return true;
        }

        count = 0;
        if (read < 0)
        {
            int errno = LibC.LastError;
            if (errno is LibC.EINTR or LibC.EAGAIN)
            {
                return false;
            }

            throw new IOException(errno == LibC.EIO
                ? $"UIO device {DevicePath} ({Name}) has no interrupt: its driver registered no IRQ line ({LibC.Describe(errno)})."
                : $"Reading the interrupt count of UIO device {DevicePath} ({Name}) failed: {LibC.Describe(errno)}.");
        }

        throw new IOException(
            $"Reading the interrupt count of UIO device {DevicePath} ({Name}) returned {read} bytes instead of 4: it is not a UIO device node.");
    }

    private void WriteIrqControl(uint value)
    {
        ObjectDisposedException.ThrowIf(_disposed || _file.IsClosed, this);
        string action = value != 0 ? "enable" : "disable";
        bool added = false;
        nint written;
        int errno = 0;
        try
        {
            _file.DangerousAddRef(ref added);
            unsafe
            {
                // SAFETY: value is a 4-byte local; write reads exactly those 4 bytes.
                written = LibC.Write((int)_file.DangerousGetHandle(), &value, sizeof(uint));
            }

            if (written < 0)
            {
                errno = LibC.LastError;
            }
        }
        finally
        {
            if (added)
            {
                _file.DangerousRelease();
            }
        }

        if (written == sizeof(uint))
        {
            return;
        }

        if (written >= 0)
        {
            throw new IOException($"Cannot {action} interrupts of UIO device {DevicePath} ({Name}): only {written} of 4 bytes were written.");
        }

        // uio_pci_generic has no irqcontrol: its handler masks INTx in the PCI command register, and unmasking is
        // done there, through the device's config space (as the kernel's UIO documentation describes).
        if (errno == LibC.ENOSYS && Info.PciAddress is not null)
        {
            SetPciInterruptMask(Path.Join(UioDevices.ClassDirectory(_sysfsRoot), $"uio{Number}", "device", "config"), masked: value == 0);
            return;
        }

        throw new IOException(errno switch
        {
            LibC.EIO => $"Cannot {action} interrupts of UIO device {DevicePath} ({Name}): it has no interrupt line (its driver registered no IRQ).",
            LibC.ENOSYS => $"Cannot {action} interrupts of UIO device {DevicePath} ({Name}): its driver does not support interrupt control (irqcontrol).",
            _ => $"Cannot {action} interrupts of UIO device {DevicePath} ({Name}): {LibC.Describe(errno)}.",
        });
    }

    /// <summary>Sets or clears the INTx Disable bit (bit 10 of the PCI command register), through <see cref="PciConfigSpace"/>.</summary>
    internal static void SetPciInterruptMask(string configPath, bool masked)
    {
        using PciConfigSpace config = PciConfigSpace.Open(configPath, writable: true);
        _ = masked
            ? config.UpdateCommand(PciCommand.InterruptDisable, PciCommand.None)
            : config.UpdateCommand(PciCommand.None, PciCommand.InterruptDisable);
    }
}
