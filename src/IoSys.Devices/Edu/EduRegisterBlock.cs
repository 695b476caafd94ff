namespace IoSys.Devices.Edu;

/// <remarks>
/// The registers of QEMU's <c>edu</c> (PCI 1234:11e8; QEMU <c>docs/specs/edu.rst</c>, <c>hw/misc/edu.c</c>), generated
/// at build time by the IoSys register generator from the description <c>devices/svd/edu.svd</c> (peripheral
/// <c>EDU</c>; see docs/registers.md): offsets, widths, access kinds, reset values, fields and
/// <see cref="EduDmaDirection"/> come from that file. The simulated device (<c>IoSys.Simulation.EduDevice</c>) takes each
/// register's offset, width, access kind and reset value from this block, and drivers use its typed registers, e.g.
/// <c>EduRegisterBlock.Status.Read(regs).Computing</c>.
/// <para>
/// 1 MiB (<see cref="EduRegisters.BarSize"/>), 4-byte accesses only below 0x80 and 4 or 8 bytes above: the
/// <see cref="IoWidthRuleAttribute"/>s declared here, which <see cref="EduRegisters.WidthRules"/> reads. They are
/// written by hand because edu accepts 4-byte accesses to its 64-bit DMA registers, which an SVD register's
/// <c>size</c> cannot say (the file's item sets <c>IoSysWidthRules="none"</c>).
/// <c>bar0.AsKnownSize&lt;EduRegisterBlock&gt;()</c> gives a window with those rules on any map.
/// </para>
/// </remarks>
[IoWidthRule(0x00, 0x80, AccessWidths.Bits32)]
[IoWidthRule(0x80, EduRegisters.BarSize - 0x80, AccessWidths.Bits32 | AccessWidths.Bits64)]
public partial struct EduRegisterBlock
{
    /// <remarks>The generated register, with one helper written by hand.</remarks>
    public readonly partial struct Identification
    {
        /// <summary>Whether this is edu's identification.</summary>
        public bool IsEdu => Magic == 0x00ED;
    }
}
