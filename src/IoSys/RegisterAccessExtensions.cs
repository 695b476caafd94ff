using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using IoSys.Registers;

namespace IoSys;

/// <summary>
/// The accessors of every generated register, declared once here as static extension members over the register
/// interfaces instead of in each register type (a vendor description has thousands of registers, and the compiler's
/// time grows with the members it compiles): <c>Read</c>/<c>ReadRelaxed</c> for <see cref="IReadableRegister{TSelf}"/>,
/// <c>Write</c>/<c>WriteRelaxed</c> for <see cref="IWritableRegister{TSelf}"/>, <c>Update</c> for
/// <see cref="IReadWriteRegister{TSelf}"/>, and the same with an element index for register arrays. Each takes an <see cref="IoSysMap"/>, an <see cref="IoSysMap{TSize}"/> (the known-size path: the
/// JIT folds the checks of a constant offset) or an <see cref="IoSysMapLease{TSize}"/>. They are called on the
/// register type, as members of it: <c>UART0.UARTCR.Read(map)</c>. They are in the <c>IoSys</c> namespace, which
/// code that holds an <see cref="IoSysMap"/> imports anyway.
/// </summary>
/// <remarks>
/// Every check is the map's: range, alignment, width rules and read-only maps throw <see cref="IoAccessException"/>
/// naming offset, width and size, as the map's own <c>Read32</c> does. The JIT compiles each accessor once per
/// register type (a value type), where <c>TRegister.Offset</c> and <c>TRegister.Width</c> are constants: the code is
/// that of a hand-written <c>map.Read32(0x30)</c>. The access right is the interface the generator gave the type: a
/// read-only register has no <c>Write</c> (CS0315 at the call: no conversion to <see cref="IWritableRegister{TSelf}"/>).
/// </remarks>
/// <example>
/// <code>
/// IoSysMap&lt;EduRegisterBlock&gt; regs = bar0.AsKnownSize&lt;EduRegisterBlock&gt;();
/// if (EduRegisterBlock.Identification.Read(regs).Major != 1) { throw new InvalidOperationException("not an edu"); }
/// EduRegisterBlock.Status.Update(regs, static s =&gt; s.WithIrqOnFactorial(true));
/// EduRegisterBlock.Factorial.WriteRelaxed(regs, new EduRegisterBlock.Factorial(5));
/// </code>
/// </example>
// CA1000 takes an extension block for a generic type; these are static members of a non-generic static class,
// called on the register type (UART0.UARTCR.Read(map)), which is what extension blocks are for.
#pragma warning disable CA1000
public static class RegisterAccessExtensions
{
    /// <summary>The element offsets of a register array.</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IRegisterArray<TRegister>
    {
        /// <summary>The offset of element <paramref name="index"/> from the start of the block, in bytes: <c>Offset + index * Stride</c>.</summary>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <returns>The offset in bytes.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not below <c>Count</c>; the message names the register and its count.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static long OffsetOf(int index) => ElementOffset<TRegister>(index);
    }

    /// <summary>Reads a single readable register (RO, RW, W1C).</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IReadableRegister<TRegister>
    {
        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read(IoSysMap map)
            => Get<TRegister>(map, TRegister.Offset, relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed(IoSysMap map)
            => Get<TRegister>(map, TRegister.Offset, relaxed: true);

        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read<TBlock>(IoSysMap<TBlock> map)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, TRegister.Offset, relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed<TBlock>(IoSysMap<TBlock> map)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, TRegister.Offset, relaxed: true);

        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read<TBlock>(IoSysMapLease<TBlock> map)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, TRegister.Offset, relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed<TBlock>(IoSysMapLease<TBlock> map)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, TRegister.Offset, relaxed: true);
    }

    /// <summary>Writes a single writable register (WO, RW, W1C).</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IWritableRegister<TRegister>
    {
        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="value">The value to write.</param>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(IoSysMap map, TRegister value)
            => Put<TRegister>(map, TRegister.Offset, value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="value">The value to write.</param>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed(IoSysMap map, TRegister value)
            => Put<TRegister>(map, TRegister.Offset, value, relaxed: true);

        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TBlock>(IoSysMap<TBlock> map, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, TRegister.Offset, value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed<TBlock>(IoSysMap<TBlock> map, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, TRegister.Offset, value, relaxed: true);

        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TBlock>(IoSysMapLease<TBlock> map, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, TRegister.Offset, value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed<TBlock>(IoSysMapLease<TBlock> map, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, TRegister.Offset, value, relaxed: true);
    }

    /// <summary>Read-modify-write of a single read-write register (RW).</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IReadWriteRegister<TRegister>
    {
        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update(IoSysMap map, Func<TRegister, TRegister> update)
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = TRegister.Offset;
            Put<TRegister>(map, offset, update(Get<TRegister>(map, offset, relaxed: false)), relaxed: false);
        }

        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update<TBlock>(IoSysMap<TBlock> map, Func<TRegister, TRegister> update)
            where TBlock : struct, IIoKnownSize
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = TRegister.Offset;
            Put<TRegister, TBlock>(map, offset, update(Get<TRegister, TBlock>(map, offset, relaxed: false)), relaxed: false);
        }

        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access.</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update<TBlock>(IoSysMapLease<TBlock> map, Func<TRegister, TRegister> update)
            where TBlock : struct, IIoKnownSize
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = TRegister.Offset;
            Put<TRegister, TBlock>(map, offset, update(Get<TRegister, TBlock>(map, offset, relaxed: false)), relaxed: false);
        }
    }

    /// <summary>Reads an element of a readable register array.</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IReadableRegisterArray<TRegister>
    {
        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read(IoSysMap map, int index)
            => Get<TRegister>(map, ElementOffset<TRegister>(index), relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed(IoSysMap map, int index)
            => Get<TRegister>(map, ElementOffset<TRegister>(index), relaxed: true);

        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read<TBlock>(IoSysMap<TBlock> map, int index)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, ElementOffset<TRegister>(index), relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed<TBlock>(IoSysMap<TBlock> map, int index)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, ElementOffset<TRegister>(index), relaxed: true);

        /// <summary>Reads the register with one ordered access (<c>readl</c>: DMA memory reads after it see what the device wrote before it) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister Read<TBlock>(IoSysMapLease<TBlock> map, int index)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, ElementOffset<TRegister>(index), relaxed: false);

        /// <summary>Reads the register with one relaxed access (<c>readl_relaxed</c>: no ordering against DMA memory) of its width (<c>TRegister.Width</c> bits).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TRegister ReadRelaxed<TBlock>(IoSysMapLease<TBlock> map, int index)
            where TBlock : struct, IIoKnownSize
            => Get<TRegister, TBlock>(map, ElementOffset<TRegister>(index), relaxed: true);
    }

    /// <summary>Writes an element of a writable register array.</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IWritableRegisterArray<TRegister>
    {
        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(IoSysMap map, int index, TRegister value)
            => Put<TRegister>(map, ElementOffset<TRegister>(index), value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed(IoSysMap map, int index, TRegister value)
            => Put<TRegister>(map, ElementOffset<TRegister>(index), value, relaxed: true);

        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TBlock>(IoSysMap<TBlock> map, int index, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, ElementOffset<TRegister>(index), value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed<TBlock>(IoSysMap<TBlock> map, int index, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, ElementOffset<TRegister>(index), value, relaxed: true);

        /// <summary>Writes the register with one ordered access (<c>writel</c>: DMA memory writes before it reach the device first) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TBlock>(IoSysMapLease<TBlock> map, int index, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, ElementOffset<TRegister>(index), value, relaxed: false);

        /// <summary>Writes the register with one relaxed access (<c>writel_relaxed</c>: no ordering against DMA memory) of its width (W1C: each bit written as 1 clears that bit).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="value">The value to write.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="IoAccessException">The map refuses the access (range, alignment, width rule, read-only map) or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteRelaxed<TBlock>(IoSysMapLease<TBlock> map, int index, TRegister value)
            where TBlock : struct, IIoKnownSize
            => Put<TRegister, TBlock>(map, ElementOffset<TRegister>(index), value, relaxed: true);
    }

    /// <summary>Read-modify-write of an element of a read-write register array.</summary>
    /// <typeparam name="TRegister">The register type.</typeparam>
    extension<TRegister>(TRegister)
        where TRegister : struct, IReadWriteRegisterArray<TRegister>
    {
        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">The block's map: a simulated or real device, or a window onto the block; a constant offset is checked at run time against the map's size.</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update(IoSysMap map, int index, Func<TRegister, TRegister> update)
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = ElementOffset<TRegister>(index);
            Put<TRegister>(map, offset, update(Get<TRegister>(map, offset, relaxed: false)), relaxed: false);
        }

        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">The block's known-size map, whose constant offsets the JIT checks against <c>TBlock.Size</c> (the fast path).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update<TBlock>(IoSysMap<TBlock> map, int index, Func<TRegister, TRegister> update)
            where TBlock : struct, IIoKnownSize
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = ElementOffset<TRegister>(index);
            Put<TRegister, TBlock>(map, offset, update(Get<TRegister, TBlock>(map, offset, relaxed: false)), relaxed: false);
        }

        /// <summary>Read-modify-write: reads the register, applies <paramref name="update"/> and writes the result (two ordered accesses).</summary>
        /// <param name="map">A lease on the block's known-size map, for a batch of accesses (taken by value, never disposed here).</param>
        /// <param name="index">The element, from 0 to <c>Count - 1</c>.</param>
        /// <param name="update">Makes the new value from the old, e.g. <c>static v =&gt; v.WithEnable(true)</c>.</param>
        /// <typeparam name="TBlock">The block type (its size is a constant).</typeparam>
        /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
        /// <exception cref="IoAccessException">The map refuses an access or <paramref name="index"/> is outside the array (<see cref="ArgumentOutOfRangeException"/>).</exception>
        /// <exception cref="ObjectDisposedException">The map is disposed or the lease has ended.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Update<TBlock>(IoSysMapLease<TBlock> map, int index, Func<TRegister, TRegister> update)
            where TBlock : struct, IIoKnownSize
        {
            ArgumentNullException.ThrowIfNull(update);
            long offset = ElementOffset<TRegister>(index);
            Put<TRegister, TBlock>(map, offset, update(Get<TRegister, TBlock>(map, offset, relaxed: false)), relaxed: false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ElementOffset<TRegister>(int index)
        where TRegister : struct, IRegisterArray<TRegister>
    {
        if ((uint)index >= (uint)TRegister.Count)
        {
            ThrowIndexOutOfRange<TRegister>(index);
        }

        return TRegister.Offset + (index * TRegister.Stride);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIndexOutOfRange<TRegister>(int index)
        where TRegister : struct, IRegisterArray<TRegister> =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"{typeof(TRegister).Name} has {TRegister.Count} elements.");

    // A generated register type holds exactly its raw value, so a raw value of the type's size is reinterpreted rather
    // than converted through ulong (FromRaw, RawBits): the JIT then keeps no zero-extension in the access, and the code
    // is that of a hand-written map.Read32. Any other type (a hand implementation of IRegister, one with references)
    // goes through FromRaw and RawBits. Every test here is a constant of the types the JIT compiles it for.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TRegister Wrap<TRegister, TRaw>(TRaw raw)
        where TRegister : struct, IRegister<TRegister>
        where TRaw : unmanaged, IBinaryInteger<TRaw>, IUnsignedNumber<TRaw> =>
        Unsafe.SizeOf<TRegister>() == Unsafe.SizeOf<TRaw>() && !RuntimeHelpers.IsReferenceOrContainsReferences<TRegister>()
            ? Unsafe.BitCast<TRaw, TRegister>(raw)
            : TRegister.FromRaw(ulong.CreateTruncating(raw));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TRaw Unwrap<TRegister, TRaw>(TRegister value)
        where TRegister : struct, IRegister<TRegister>
        where TRaw : unmanaged, IBinaryInteger<TRaw>, IUnsignedNumber<TRaw> =>
        Unsafe.SizeOf<TRegister>() == Unsafe.SizeOf<TRaw>() && !RuntimeHelpers.IsReferenceOrContainsReferences<TRegister>()
            ? Unsafe.BitCast<TRegister, TRaw>(value)
            : TRaw.CreateTruncating(value.RawBits);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException BadWidth<TRegister>()
        where TRegister : struct, IRegister<TRegister> =>
        new($"{typeof(TRegister).Name}.Width is {TRegister.Width}: a register is 8, 16, 32 or 64 bits wide.");

    // One access of the register's width. TRegister.Width is a constant of the value type the JIT compiles this
    // for, so only one branch is left, as in a hand-written accessor; `relaxed` is a constant of each caller.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TRegister Get<TRegister>(IoSysMap map, long offset, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
    {
        if (TRegister.Width == 8)
        {
            return Wrap<TRegister, byte>(relaxed ? map.Read8Relaxed(offset) : map.Read8(offset));
        }

        if (TRegister.Width == 16)
        {
            return Wrap<TRegister, ushort>(relaxed ? map.Read16Relaxed(offset) : map.Read16(offset));
        }

        if (TRegister.Width == 32)
        {
            return Wrap<TRegister, uint>(relaxed ? map.Read32Relaxed(offset) : map.Read32(offset));
        }

        if (TRegister.Width == 64)
        {
            return Wrap<TRegister, ulong>(relaxed ? map.Read64Relaxed(offset) : map.Read64(offset));
        }

        throw BadWidth<TRegister>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TRegister>(IoSysMap map, long offset, TRegister value, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
    {
        if (TRegister.Width == 8)
        {
            if (relaxed) { map.Write8Relaxed(offset, Unwrap<TRegister, byte>(value)); } else { map.Write8(offset, Unwrap<TRegister, byte>(value)); }
        }
        else if (TRegister.Width == 16)
        {
            if (relaxed) { map.Write16Relaxed(offset, Unwrap<TRegister, ushort>(value)); } else { map.Write16(offset, Unwrap<TRegister, ushort>(value)); }
        }
        else if (TRegister.Width == 32)
        {
            if (relaxed) { map.Write32Relaxed(offset, Unwrap<TRegister, uint>(value)); } else { map.Write32(offset, Unwrap<TRegister, uint>(value)); }
        }
        else if (TRegister.Width == 64)
        {
            if (relaxed) { map.Write64Relaxed(offset, Unwrap<TRegister, ulong>(value)); } else { map.Write64(offset, Unwrap<TRegister, ulong>(value)); }
        }
        else
        {
            throw BadWidth<TRegister>();
        }
    }

    // One access of the register's width. TRegister.Width is a constant of the value type the JIT compiles this
    // for, so only one branch is left, as in a hand-written accessor; `relaxed` is a constant of each caller.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TRegister Get<TRegister, TBlock>(IoSysMap<TBlock> map, long offset, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
        where TBlock : struct, IIoKnownSize
    {
        if (TRegister.Width == 8)
        {
            return Wrap<TRegister, byte>(relaxed ? map.Read8Relaxed(offset) : map.Read8(offset));
        }

        if (TRegister.Width == 16)
        {
            return Wrap<TRegister, ushort>(relaxed ? map.Read16Relaxed(offset) : map.Read16(offset));
        }

        if (TRegister.Width == 32)
        {
            return Wrap<TRegister, uint>(relaxed ? map.Read32Relaxed(offset) : map.Read32(offset));
        }

        if (TRegister.Width == 64)
        {
            return Wrap<TRegister, ulong>(relaxed ? map.Read64Relaxed(offset) : map.Read64(offset));
        }

        throw BadWidth<TRegister>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TRegister, TBlock>(IoSysMap<TBlock> map, long offset, TRegister value, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
        where TBlock : struct, IIoKnownSize
    {
        if (TRegister.Width == 8)
        {
            if (relaxed) { map.Write8Relaxed(offset, Unwrap<TRegister, byte>(value)); } else { map.Write8(offset, Unwrap<TRegister, byte>(value)); }
        }
        else if (TRegister.Width == 16)
        {
            if (relaxed) { map.Write16Relaxed(offset, Unwrap<TRegister, ushort>(value)); } else { map.Write16(offset, Unwrap<TRegister, ushort>(value)); }
        }
        else if (TRegister.Width == 32)
        {
            if (relaxed) { map.Write32Relaxed(offset, Unwrap<TRegister, uint>(value)); } else { map.Write32(offset, Unwrap<TRegister, uint>(value)); }
        }
        else if (TRegister.Width == 64)
        {
            if (relaxed) { map.Write64Relaxed(offset, Unwrap<TRegister, ulong>(value)); } else { map.Write64(offset, Unwrap<TRegister, ulong>(value)); }
        }
        else
        {
            throw BadWidth<TRegister>();
        }
    }

    // One access of the register's width. TRegister.Width is a constant of the value type the JIT compiles this
    // for, so only one branch is left, as in a hand-written accessor; `relaxed` is a constant of each caller.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TRegister Get<TRegister, TBlock>(IoSysMapLease<TBlock> map, long offset, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
        where TBlock : struct, IIoKnownSize
    {
        if (TRegister.Width == 8)
        {
            return Wrap<TRegister, byte>(relaxed ? map.Read8Relaxed(offset) : map.Read8(offset));
        }

        if (TRegister.Width == 16)
        {
            return Wrap<TRegister, ushort>(relaxed ? map.Read16Relaxed(offset) : map.Read16(offset));
        }

        if (TRegister.Width == 32)
        {
            return Wrap<TRegister, uint>(relaxed ? map.Read32Relaxed(offset) : map.Read32(offset));
        }

        if (TRegister.Width == 64)
        {
            return Wrap<TRegister, ulong>(relaxed ? map.Read64Relaxed(offset) : map.Read64(offset));
        }

        throw BadWidth<TRegister>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TRegister, TBlock>(IoSysMapLease<TBlock> map, long offset, TRegister value, bool relaxed)
        where TRegister : struct, IRegister<TRegister>
        where TBlock : struct, IIoKnownSize
    {
        if (TRegister.Width == 8)
        {
            if (relaxed) { map.Write8Relaxed(offset, Unwrap<TRegister, byte>(value)); } else { map.Write8(offset, Unwrap<TRegister, byte>(value)); }
        }
        else if (TRegister.Width == 16)
        {
            if (relaxed) { map.Write16Relaxed(offset, Unwrap<TRegister, ushort>(value)); } else { map.Write16(offset, Unwrap<TRegister, ushort>(value)); }
        }
        else if (TRegister.Width == 32)
        {
            if (relaxed) { map.Write32Relaxed(offset, Unwrap<TRegister, uint>(value)); } else { map.Write32(offset, Unwrap<TRegister, uint>(value)); }
        }
        else if (TRegister.Width == 64)
        {
            if (relaxed) { map.Write64Relaxed(offset, Unwrap<TRegister, ulong>(value)); } else { map.Write64(offset, Unwrap<TRegister, ulong>(value)); }
        }
        else
        {
            throw BadWidth<TRegister>();
        }
    }
}
#pragma warning restore CA1000
