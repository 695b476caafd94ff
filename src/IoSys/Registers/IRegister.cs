namespace IoSys.Registers;

/// <summary>
/// What every generated register type (<see cref="RegisterAttribute"/>) tells about itself, for code that is generic
/// over registers: a device model building its register table, a tracer naming accesses. The generated type also
/// has these as constants (<c>Status.Offset</c>); this interface makes them reachable through a type parameter.
/// </summary>
/// <typeparam name="TSelf">The register type.</typeparam>
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
}
