using IoSys.Devices.Edu;

namespace IoSys.HardwareTests;

/// <summary>edu over its PCI BAR through the checked API, and its interrupts through UIO.</summary>
internal static class EduTests
{
    // The raw library tests take offsets and bits from the generated register block, not from the driver.
    private const long Id = EduRegisterBlock.Identification.Offset, Liveness = EduRegisterBlock.Liveness.Offset;
    private const long Factorial = EduRegisterBlock.Factorial.Offset, Status = EduRegisterBlock.Status.Offset;
    private const long IrqStatus = EduRegisterBlock.InterruptStatus.Offset, IrqRaise = EduRegisterBlock.InterruptRaise.Offset;
    private const long IrqAck = EduRegisterBlock.InterruptAcknowledge.Offset, DmaSource = EduRegisterBlock.DmaSource.Offset;
    private static readonly uint StatusComputing = default(EduRegisterBlock.Status).WithComputing(true).Raw;
    private static readonly uint StatusIrqOnFactorial = default(EduRegisterBlock.Status).WithIrqOnFactorial(true).Raw;
    private static readonly uint FactorialIrq = default(EduRegisterBlock.InterruptStatus).WithFactorialDone(true).Raw;
    private static readonly TimeSpan IrqTimeout = TimeSpan.FromSeconds(5);

    // A lambda cannot capture a lease (a ref struct), so the refusal is caught here.
    private static IoAccessError RefusedByteRead(IoSysMapLease<EduRegisterBlock> lease, long offset)
    {
        try
        {
            _ = lease.Read8(offset);
            return IoAccessError.None;
        }
        catch (IoAccessException e)
        {
            return e.Error;
        }
    }

    public static void Register(Runner r, Guest guest)
    {
        r.Run("edu.bar.identification", () =>
        {
            guest.RequireEdu();
            using IoSysMap edu = Guest.OpenEdu();
            Check.Equal(1L << 20, edu.Size, "edu BAR0 size");
            Check.True(edu.IsIoMem, "edu BAR0 must be mapped as I/O memory");
            Check.Equal(Guest.EduIdentification, edu.Read32(Id), "edu identification register (0x00)");
            Runner.Note($"edu {guest.EduPci}: BAR0 {edu.Size / 1024} KiB, id 0x{edu.Read32(Id):x8}");
        });

        r.Run("edu.bar.liveness", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            foreach (uint v in new uint[] { 0, 0xffffffff, 0x12345678, 0xa5a5a5a5, 0x00c0ffee })
            {
                edu.Write32(Liveness, v);
                Check.Equal(~v, edu.Read32(Liveness), $"liveness after writing 0x{v:x8} (reads back inverted)");
            }
        });

        r.Run("edu.bar.factorial-poll", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            foreach ((uint n, uint expected) in new (uint, uint)[] { (5, 120), (10, 3628800), (12, 479001600) })
            {
                edu.Write32(Factorial, n);
                // The device computes on its own thread; poll the computing bit (status bit 0) with a timeout.
                uint status = edu.Poll<uint>(Status, s => (s & StatusComputing) == 0, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));
                Check.Equal(0u, status & StatusComputing, "status bit 0 after the poll");
                Check.Equal(expected, edu.Read32(Factorial), $"{n}! read from 0x08");
            }
        });

        r.Run("edu.bar.poll-timeout", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            // The id register never reads 0: the poll must give up after its timeout, reporting the last value.
            var start = System.Diagnostics.Stopwatch.StartNew();
            IoPollTimeoutException e = Check.Throws<IoPollTimeoutException>(
                () => edu.Poll<uint>(Id, v => v == 0, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(5)), "poll for an id of 0");
            Check.Equal((ulong)Guest.EduIdentification, e.LastValue, "the poll's last value");
            Check.True(start.Elapsed >= TimeSpan.FromMilliseconds(190), $"the poll gave up after {start.Elapsed.TotalMilliseconds:0} ms, before its 200 ms timeout");
        });

        r.Run("edu.width.refused", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            edu.Write32(Liveness, 0x11111111);
            // Below 0x80 only 4-byte accesses reach edu: every other width is refused before touching the device.
            Check.Refused(IoAccessError.WidthRefused, () => edu.Read8(Id), "Read8(0x00)");
            Check.Refused(IoAccessError.WidthRefused, () => edu.Read16(Id), "Read16(0x00)");
            Check.Refused(IoAccessError.WidthRefused, () => edu.Read64(Factorial), "Read64(0x08)");
            Check.Refused(IoAccessError.WidthRefused, () => edu.Write8(Liveness, 0x55), "Write8(0x04)");
            Check.Refused(IoAccessError.WidthRefused, () => edu.Write16(Liveness, 0x5555), "Write16(0x04)");
            IoAccessException e = Check.Refused(IoAccessError.WidthRefused, () => edu.Write64(0x00, 0x5555555555555555), "Write64(0x00)");
            Check.True(!edu.TryRead8(Id, out _), "TryRead8(0x00) must return false");
            Check.Equal(~0x11111111u, edu.Read32(Liveness), "liveness after the refused writes (nothing reached the device)");
            Runner.Note($"refused: {e.Reason}");
            // Above 0x80, 8-byte accesses are edu's: the DMA source register holds all 64 bits.
            const ulong probe = 0x0000_0012_3456_7000;
            edu.Write64(DmaSource, probe);
            Check.Equal(probe, edu.Read64(DmaSource), "8-byte DMA source register at 0x80");
            edu.Write64(DmaSource, 0);
        });

        r.Run("edu.bar.lease", () =>
        {
            // A lease on the real BAR: checked accesses from registers, and the device mapping held until the last
            // lease ends even though the map is disposed meanwhile.
            string pci = guest.RequireEdu();
            int MappingsOfBar0() => File.ReadLines("/proc/self/maps").Count(l => l.EndsWith($"{pci}/resource0", StringComparison.Ordinal));
            IoSysMap edu = Guest.OpenEdu();
            Check.Equal(1, MappingsOfBar0(), $"mappings of {pci}/resource0 in /proc/self/maps after OpenBar");
            IoSysMapLease<EduRegisterBlock> lease = edu.AsKnownSize<EduRegisterBlock>().Lease();
            try
            {
                Check.Equal(Guest.EduIdentification, lease.Read32(Id), "identification through the lease");
                lease.Write32(Liveness, 0x1234_5678);
                Check.Equal(~0x1234_5678u, lease.Read32(Liveness), "liveness through the lease (reads back inverted)");
                IoAccessError refused = RefusedByteRead(lease, Id);
                Check.True(refused == IoAccessError.WidthRefused, $"a 1-byte read at 0x00 through the lease must be refused as WidthRefused, got {refused}");
                Check.Equal(~0x1234_5678u, lease.Read32(Liveness), "liveness after the refused read (nothing reached the device)");

                edu.Dispose();
                Check.Throws<ObjectDisposedException>(() => edu.Read32(Id), "Read32 on the disposed map");
                Check.Equal(1, MappingsOfBar0(), "resource0 still mapped while a lease is open");
                Check.Equal(Guest.EduIdentification, lease.Read32(Id), "identification through the lease after the map's Dispose");
            }
            finally
            {
                lease.Dispose();
            }

            Check.Equal(0, MappingsOfBar0(), "resource0 mappings once the last lease ended (replaced by anonymous memory)");
            Runner.Note("lease on edu BAR0: the device stayed mapped after Dispose until the lease ended, then was released");
        });

        r.Run("edu.raw.read64-all-ones", () =>
        {
            using IoSysMap edu = Guest.OpenEdu();
            edu.Write32(Factorial, 5);
            edu.Poll<uint>(Status, s => (s & StatusComputing) == 0, TimeSpan.FromSeconds(5));
            Check.Equal(120u, edu.Read32(Factorial), "5! through a 4-byte read");
            // What the rule prevents: edu answers an 8-byte read below 0x80 with all ones, not the register.
            ulong raw = UnsafeIoSysMap.Read64(edu, Factorial);
            Check.Equal(ulong.MaxValue, raw, "raw 8-byte read at 0x08");
            Runner.Note($"raw UnsafeIoSysMap.Read64(edu, 0x08) = 0x{raw:x16} while Read32(0x08) = {edu.Read32(Factorial)}: why 0x00-0x7f is declared 4-byte only");
        });

        r.Run("edu.uio.irq-raise", () =>
        {
            string pci = guest.RequireEdu();
            using var irq = new UioInterrupts(guest.RequireUio(), pci);
            using IoSysMap edu = Guest.OpenEdu();
            uint last = 0;
            for (int i = 0; i < 3; i++)
            {
                uint value = 0x1000u << i | 0x5a;
                irq.Enable();
                // The line is low here (acknowledged), so the unmask must stick.
                Check.True(!irq.IsMasked, "INTx still masked (PCI command bit 10) after EnableInterrupts");
                edu.Write32(IrqRaise, value);
                uint count = irq.Wait(IrqTimeout);
                Check.True(i == 0 || count > last, $"interrupt count went from {last} to {count}");
                last = count;
                Check.True(irq.IsMasked, "the kernel's handler should have masked INTx (command bit 10)");
                Check.Equal(value, edu.Read32(IrqStatus), $"interrupt status (0x24) after raising 0x{value:x}");
                edu.Write32(IrqAck, value);
                Check.Equal(0u, edu.Read32(IrqStatus), "interrupt status after acknowledging (0x64)");
            }

            // Nothing raised: the wait must time out, not return a stale count.
            irq.Enable();
            Check.Throws<TimeoutException>(() => irq.Wait(TimeSpan.FromMilliseconds(300)), "a wait with no interrupt raised");
            Runner.Note($"3 interrupts through {irq.DevicePath} (count now {last}); masked by the kernel after each, unmasked by UioDevice.EnableInterrupts");
        });

        r.Run("edu.uio.irq-factorial", () =>
        {
            string pci = guest.RequireEdu();
            using var irq = new UioInterrupts(guest.RequireUio(), pci);
            using IoSysMap edu = Guest.OpenEdu();
            edu.Write32(Status, StatusIrqOnFactorial);
            try
            {
                irq.Enable();
                edu.Write32(Factorial, 11);
                irq.Wait(IrqTimeout);
                Check.Equal(FactorialIrq, edu.Read32(IrqStatus), "interrupt status after the factorial finished");
                Check.Equal(0u, edu.Read32(Status) & StatusComputing, "computing bit when the interrupt arrived");
                Check.Equal(39916800u, edu.Read32(Factorial), "11!");
                edu.Write32(IrqAck, FactorialIrq);
                Check.Equal(0u, edu.Read32(IrqStatus), "interrupt status after acknowledging");
            }
            finally
            {
                edu.Write32(Status, 0);
            }
        });
    }
}
