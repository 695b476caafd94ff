using System.Runtime.InteropServices;

namespace IoSys.HardwareTests;

/// <summary>
/// Issue 8's demonstration: the raw layer's unaligned 32-bit read of edu's BAR kills the process on arm64 (SIGBUS:
/// an alignment fault on device memory) and silently splices two registers on x86-64; the checked API refuses the
/// same offset with a clear error and the process carries on.
/// </summary>
internal static class FaultDemo
{
    public const string ChildCommand = "--raw-unaligned-read";
    private const long UnalignedOffset = 0x1;

    /// <summary>The child: one raw unaligned read, no checks. Exits 0 if it survives.</summary>
    public static int RunChild()
    {
        using IoSysMap edu = IoSys.Linux.PciDevices.OpenBar(Guest.EduId, 0);
        Console.Out.WriteLine($"raw-child: pid {Environment.ProcessId}, {RuntimeInformation.ProcessArchitecture}: UnsafeIoSysMap.Read32(edu BAR0, 0x{UnalignedOffset:x}) ...");
        Console.Out.Flush();
        uint value = UnsafeIoSysMap.Read32(edu, UnalignedOffset);
        Console.Out.WriteLine($"raw-child: survived; value 0x{value:x8}");
        Console.Out.WriteLine($"RAWVALUE=0x{value:x8}");
        Console.Out.Flush();
        return 0;
    }

    public static void Register(Runner r, Guest guest)
    {
        r.Run("fault.raw-unaligned-read", () =>
        {
            guest.RequireEdu();
            Native.ChildResult child = Native.RunSelf("/tmp/raw-unaligned-child.log", ChildCommand);
            foreach (string line in child.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Runner.Note("| " + line);
            }

            Runner.Note($"FAULT-DEMO raw:     UnsafeIoSysMap.Read32(edu, 0x1) in a child process -> {child}");
            Check.True(child.Output.Contains("raw-child: pid", StringComparison.Ordinal), "the child never reached the raw read (it failed before it)");
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.Arm64:
                    // QEMU 10 faults like hardware: an alignment fault on device memory is delivered as SIGBUS.
                    Check.True(child.Signaled && child.Signal == Native.SIGBUS, $"on arm64 the raw unaligned read must die by SIGBUS; the child {child}");
                    break;
                case Architecture.X64:
                    // x86-64 has no alignment fault: QEMU answers with bytes of two registers spliced together.
                    Check.True(!child.Signaled && child.ExitCode == 0, $"on x86-64 the raw unaligned read survives; the child {child}");
                    string? text = child.Output.Split('\n').FirstOrDefault(l => l.StartsWith("RAWVALUE=", StringComparison.Ordinal));
                    Check.True(text is not null, "the child printed no value");
                    uint value = (uint)Guest.ParseHex(text!["RAWVALUE=".Length..].Trim());
                    // Spliced: bytes 1-3 of the identification register (0x0) and byte 0 of liveness (0x4).
                    using (IoSysMap edu = Guest.OpenEdu())
                    {
                        uint liveness = edu.Read32(0x4);
                        uint spliced = (Guest.EduIdentification >> 8) | (liveness << 24);
                        Check.Equal(spliced, value, "the raw unaligned read (id bytes 1-3 + liveness byte 0)");
                        Runner.Note($"FAULT-DEMO raw:     x86-64 read 0x{value:x8} at 0x1 = bytes 1-3 of id 0x{Guest.EduIdentification:x8} (at 0x0) + byte 0 of liveness 0x{liveness:x8} (at 0x4): two registers spliced, no error");
                    }

                    break;
                default:
                    throw new SkipException($"no expectation for {RuntimeInformation.ProcessArchitecture}");
            }
        });

        r.Run("fault.checked-unaligned-read", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            IoAccessException e = Check.Refused(IoAccessError.Misaligned, () => edu.Read32(UnalignedOffset), "checked Read32(0x1)");
            Check.True(!edu.TryRead32(UnalignedOffset, out _), "TryRead32(0x1) must return false");
            Runner.Note($"FAULT-DEMO checked: map.Read32(0x1) -> IoAccessException({e.Error}): {e.Reason}");
            // And the process carries on, talking to the same device.
            Check.Equal(Guest.EduIdentification, edu.Read32(0), "identification after the refused access");
        });

        r.Run("fault.driver-unaligned-read", () =>
        {
            using IoSysMap bar = Guest.OpenEdu();
            var driver = new IoSys.Samples.Edu.EduDriver(bar);
            IoAccessException e = Check.Refused(IoAccessError.Misaligned, () => driver.Registers.Read32(UnalignedOffset), "the edu driver's Registers.Read32(0x1)");
            Runner.Note($"FAULT-DEMO driver:  EduDriver.Registers.Read32(0x1) -> IoAccessException({e.Error}): {e.Reason}");
            Check.Equal(Guest.EduIdentification, driver.Identification, "the driver's identification after the refused access");
        });
    }
}
