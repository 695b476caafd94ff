namespace IoSys.Registers;

/// <summary>
/// What every generated register type (<see cref="RegisterAttribute"/>) tells about itself, for code that is generic
/// over registers: a device model building its register table, a tracer naming accesses, and the shared accessors of
/// <see cref="IoSys.RegisterAccessExtensions"/>. The generated type also has these as constants (<c>Status.Offset</c>);
/// this interface makes them reachable through a type parameter, where the JIT still sees them as constants (it
/// compiles generic code once per value type).
/// </summary>
/// <remarks>
/// Implemented by the register generator. A type that implements it by hand must be what the generated ones are: a
/// struct whose only field is its raw value, of <see cref="Width"/> bits (the accessors reinterpret a raw value of the
/// type's size as the type; a type of another size, or one holding references, goes through <see cref="FromRaw"/> and
/// <see cref="RawBits"/>).
/// </remarks>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// static string Describe&lt;TRegister&gt;() where TRegister : struct, IRegister&lt;TRegister&gt; =&gt;
///     $"0x{TRegister.Offset:X}: {TRegister.Width}-bit {TRegister.Access}, reset 0x{TRegister.ResetValue.RawBits:X}";
/// </code>
/// </example>
public interface IRegister<TSelf>
    where TSelf : struct, IRegister<TSelf>
{
    /// <summary>Offset of the register (element 0 of an array) from the start of its block, in bytes.</summary>
    static abstract long Offset { get; }

    /// <summary>Width of the register in bits: 8, 16, 32 or 64.</summary>
    static abstract int Width { get; }

    /// <summary>How software may access the register.</summary>
    static abstract RegisterAccess Access { get; }

    /// <summary>The value after reset.</summary>
    static abstract TSelf ResetValue { get; }

    /// <summary>The raw value, zero-extended to 64 bits.</summary>
    ulong RawBits { get; }

    /// <summary>
    /// Wraps a raw value: the low <see cref="Width"/> bits of <paramref name="raw"/>, reserved bits included; higher
    /// bits are dropped. Nothing is checked or thrown.
    /// </summary>
    /// <param name="raw">The raw value, zero-extended to 64 bits.</param>
    /// <returns>The register value.</returns>
    static abstract TSelf FromRaw(ulong raw);
}

/// <summary>
/// A single register software may read (RO, RW, W1C): <see cref="IoSys.RegisterAccessExtensions"/> gives it
/// <c>Read</c> and <c>ReadRelaxed</c>. Implemented by the generator, which decides the access right from the
/// declaration; a register without this interface has no <c>Read</c> (CS0315 at the call: no conversion to this interface).
/// </summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegisterBlock.Identification id = EduRegisterBlock.Identification.Read(regs);   // RO: IReadableRegister
/// </code>
/// </example>
#pragma warning disable CA1040 // Marker interface: the access right, checked by the compiler as a generic constraint.
public interface IReadableRegister<TSelf> : IRegister<TSelf>
    where TSelf : struct, IReadableRegister<TSelf>
{
}

/// <summary>
/// A single register software may write (WO, RW, W1C): <see cref="IoSys.RegisterAccessExtensions"/> gives it
/// <c>Write</c> and <c>WriteRelaxed</c>.
/// </summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegisterBlock.Factorial.Write(regs, new EduRegisterBlock.Factorial(5));   // RW: IReadWriteRegister
/// </code>
/// </example>
public interface IWritableRegister<TSelf> : IRegister<TSelf>
    where TSelf : struct, IWritableRegister<TSelf>
{
}

/// <summary>
/// A single read-write (RW) register: readable and writable, and <see cref="IoSys.RegisterAccessExtensions"/> gives it
/// <c>Update</c>, a read-modify-write. W1C registers are readable and writable but not this: a read-modify-write
/// would clear every bit that was set.
/// </summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegisterBlock.Status.Update(regs, static s =&gt; s.WithIrqOnFactorial(true));
/// </code>
/// </example>
public interface IReadWriteRegister<TSelf> : IReadableRegister<TSelf>, IWritableRegister<TSelf>
    where TSelf : struct, IReadWriteRegister<TSelf>
{
}

/// <summary>
/// A register array (<c>Count</c> elements, <c>Stride</c> bytes apart): its accessors of
/// <see cref="IoSys.RegisterAccessExtensions"/> take an element index, checked against <see cref="Count"/>.
/// </summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// long third = EduRegs.Queue.OffsetOf(2);   // Offset + 2 * Stride
/// </code>
/// </example>
public interface IRegisterArray<TSelf> : IRegister<TSelf>
    where TSelf : struct, IRegisterArray<TSelf>
{
    /// <summary>Number of elements of the array.</summary>
    static abstract int Count { get; }

    /// <summary>Bytes from one element to the next.</summary>
    static abstract long Stride { get; }
}

/// <summary>A register array software may read (RO, RW, W1C): <c>Read(map, index)</c> and <c>ReadRelaxed(map, index)</c>.</summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegs.Queue head = EduRegs.Queue.Read(regs, 2);
/// </code>
/// </example>
public interface IReadableRegisterArray<TSelf> : IRegisterArray<TSelf>
    where TSelf : struct, IReadableRegisterArray<TSelf>
{
}

/// <summary>A register array software may write (WO, RW, W1C): <c>Write(map, index, value)</c> and <c>WriteRelaxed(map, index, value)</c>.</summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegs.Queue.Write(regs, 2, default(EduRegs.Queue).WithHead(17));
/// </code>
/// </example>
public interface IWritableRegisterArray<TSelf> : IRegisterArray<TSelf>
    where TSelf : struct, IWritableRegisterArray<TSelf>
{
}

/// <summary>A read-write (RW) register array: also <c>Update(map, index, update)</c>.</summary>
/// <typeparam name="TSelf">The register type.</typeparam>
/// <example>
/// <code>
/// EduRegs.Queue.Update(regs, 2, static q =&gt; q.WithHead(18));
/// </code>
/// </example>
public interface IReadWriteRegisterArray<TSelf> : IReadableRegisterArray<TSelf>, IWritableRegisterArray<TSelf>
    where TSelf : struct, IReadWriteRegisterArray<TSelf>
{
}
#pragma warning restore CA1040
