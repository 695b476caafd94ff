using System.Globalization;

namespace IoSys;

/// <summary>
/// An absolute virtual address. Deliberately not an integer: no IoSys accessor takes one, and nothing
/// converts it implicitly to <see cref="long"/>, so passing <c>map.Address + 4</c> where an offset is expected
/// does not compile. That is the seed bug (an address passed where an offset was expected, the base added
/// twice) made impossible by construction. The one way from addresses back to offsets is subtraction:
/// <c>address - map.Address</c>.
/// </summary>
public readonly struct IoAddress : IEquatable<IoAddress>, IComparable<IoAddress>
{
    private readonly nuint _value;

    /// <summary>Wraps a raw address.</summary>
    /// <param name="value">The address.</param>
    public IoAddress(nuint value) => _value = value;

    /// <summary>The null address.</summary>
    public static IoAddress Null => default;

    /// <summary>Whether this is the null address.</summary>
    public bool IsNull => _value == 0;

    /// <summary>The raw address, for diagnostics and for the raw layer's callers.</summary>
    /// <returns>The address as an unsigned native integer.</returns>
    public nuint ToUIntPtr() => _value;

    /// <summary>The address <paramref name="bytes"/> bytes further on.</summary>
    /// <param name="address">The start address.</param>
    /// <param name="bytes">Bytes to add (may be negative).</param>
    /// <returns>The moved address.</returns>
    public static IoAddress operator +(IoAddress address, long bytes) => new(unchecked((nuint)((long)address._value + bytes)));

    /// <summary>The distance in bytes from <paramref name="start"/> to <paramref name="address"/>: an offset.</summary>
    /// <param name="address">The later address.</param>
    /// <param name="start">The earlier address, e.g. a map's <see cref="IoSysMap.Address"/>.</param>
    /// <returns>The offset of <paramref name="address"/> from <paramref name="start"/>, in bytes.</returns>
    public static long operator -(IoAddress address, IoAddress start) => unchecked((long)(address._value - start._value));

    /// <summary>Adds an offset: see <see cref="op_Addition"/>.</summary>
    /// <param name="bytes">Bytes to add.</param>
    /// <returns>The moved address.</returns>
    public IoAddress Add(long bytes) => this + bytes;

    /// <summary>Subtracts an address: see <see cref="op_Subtraction"/>.</summary>
    /// <param name="start">The earlier address.</param>
    /// <returns>The offset in bytes.</returns>
    public long Subtract(IoAddress start) => this - start;

    /// <summary>Equality.</summary>
    public static bool operator ==(IoAddress left, IoAddress right) => left._value == right._value;

    /// <summary>Inequality.</summary>
    public static bool operator !=(IoAddress left, IoAddress right) => left._value != right._value;

    /// <summary>Ordering.</summary>
    public static bool operator <(IoAddress left, IoAddress right) => left._value < right._value;

    /// <summary>Ordering.</summary>
    public static bool operator >(IoAddress left, IoAddress right) => left._value > right._value;

    /// <summary>Ordering.</summary>
    public static bool operator <=(IoAddress left, IoAddress right) => left._value <= right._value;

    /// <summary>Ordering.</summary>
    public static bool operator >=(IoAddress left, IoAddress right) => left._value >= right._value;

    /// <inheritdoc/>
    public bool Equals(IoAddress other) => _value == other._value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IoAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(IoAddress other) => _value.CompareTo(other._value);

    /// <summary>The address in hex, e.g. <c>0x7f3a5c000000</c>.</summary>
    /// <returns>The formatted address.</returns>
    public override string ToString() => "0x" + ((ulong)_value).ToString("x", CultureInfo.InvariantCulture);
}
