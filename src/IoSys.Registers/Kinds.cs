using System;
using System.Globalization;

namespace IoSys.Registers.Descriptions;

/// <summary>How software may access a register or field (CMSIS-SVD <c>accessType</c>).</summary>
public enum AccessType
{
    /// <summary>Reads and writes (<c>read-write</c>); the default when a description says nothing.</summary>
    ReadWrite,

    /// <summary>Reads only (<c>read-only</c>): writes are ignored or harmful.</summary>
    ReadOnly,

    /// <summary>Writes only (<c>write-only</c>): reads return nothing meaningful.</summary>
    WriteOnly,

    /// <summary>Write once after reset, no meaningful reads (<c>writeOnce</c>).</summary>
    WriteOnce,

    /// <summary>Reads, and one write after reset (<c>read-writeOnce</c>).</summary>
    ReadWriteOnce,
}

/// <summary>What a read does to a register or field besides returning its value (CMSIS-SVD <c>readAction</c>).</summary>
public enum ReadAction
{
    /// <summary>A read has no side effect.</summary>
    None,

    /// <summary>A read clears the value (<c>clear</c>).</summary>
    Clear,

    /// <summary>A read sets the value to all ones (<c>set</c>).</summary>
    Set,

    /// <summary>A read changes the value in some other way (<c>modify</c>).</summary>
    Modify,

    /// <summary>A read has a side effect elsewhere, e.g. pops a FIFO (<c>modifyExternal</c>).</summary>
    ModifyExternal,
}

/// <summary>How a written value changes a register or field (CMSIS-SVD <c>modifiedWriteValues</c>).</summary>
public enum ModifiedWriteValues
{
    /// <summary>The written value is stored (<c>modify</c>, the default).</summary>
    Modify,

    /// <summary>Writing 1 clears a bit; 0 leaves it (<c>oneToClear</c>, W1C).</summary>
    OneToClear,

    /// <summary>Writing 1 sets a bit; 0 leaves it (<c>oneToSet</c>).</summary>
    OneToSet,

    /// <summary>Writing 1 toggles a bit; 0 leaves it (<c>oneToToggle</c>).</summary>
    OneToToggle,

    /// <summary>Writing 0 clears a bit; 1 leaves it (<c>zeroToClear</c>).</summary>
    ZeroToClear,

    /// <summary>Writing 0 sets a bit; 1 leaves it (<c>zeroToSet</c>).</summary>
    ZeroToSet,

    /// <summary>Writing 0 toggles a bit; 1 leaves it (<c>zeroToToggle</c>).</summary>
    ZeroToToggle,

    /// <summary>Any write clears the value (<c>clear</c>).</summary>
    Clear,

    /// <summary>Any write sets the value to all ones (<c>set</c>).</summary>
    Set,
}

/// <summary>Which accesses a set of enumerated values describes (CMSIS-SVD <c>usage</c>).</summary>
public enum EnumeratedUsage
{
    /// <summary>Both reads and writes (<c>read-write</c>, the default).</summary>
    ReadWrite,

    /// <summary>Values read (<c>read</c>).</summary>
    Read,

    /// <summary>Values written (<c>write</c>).</summary>
    Write,
}

/// <summary>The security or privilege an access needs (CMSIS-SVD <c>protection</c>).</summary>
public enum Protection
{
    /// <summary>Nothing stated.</summary>
    None,

    /// <summary>Secure accesses only (<c>s</c>).</summary>
    Secure,

    /// <summary>Non-secure or secure accesses (<c>n</c>).</summary>
    NonSecure,

    /// <summary>Privileged accesses only (<c>p</c>).</summary>
    Privileged,
}

/// <summary>Queries on <see cref="AccessType"/>.</summary>
public static class AccessTypeExtensions
{
    /// <summary>Whether a read returns a meaningful value.</summary>
    /// <param name="access">The access type.</param>
    /// <returns>False for <see cref="AccessType.WriteOnly"/> and <see cref="AccessType.WriteOnce"/>.</returns>
    public static bool CanRead(this AccessType access) =>
        access is not (AccessType.WriteOnly or AccessType.WriteOnce);

    /// <summary>Whether software may write.</summary>
    /// <param name="access">The access type.</param>
    /// <returns>False for <see cref="AccessType.ReadOnly"/>.</returns>
    public static bool CanWrite(this AccessType access) => access != AccessType.ReadOnly;
}

/// <summary>Where an element of a description came from: a file and a 1-based line and column (0 when unknown).</summary>
/// <param name="file">The file name as given to the reader.</param>
/// <param name="line">The 1-based line, or 0.</param>
/// <param name="column">The 1-based column, or 0.</param>
public readonly struct SourceLocation(string file, int line, int column) : IEquatable<SourceLocation>
{
    /// <summary>The file name as given to the reader.</summary>
    public string File { get; } = file ?? string.Empty;

    /// <summary>The 1-based line, or 0 when unknown.</summary>
    public int Line { get; } = line;

    /// <summary>The 1-based column, or 0 when unknown.</summary>
    public int Column { get; } = column;

    /// <inheritdoc/>
    public bool Equals(SourceLocation other) =>
        string.Equals(File, other.File, StringComparison.Ordinal) && Line == other.Line && Column == other.Column;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SourceLocation other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (StringComparer.Ordinal.GetHashCode(File) * 31 + Line) * 31 + Column;

    /// <summary>Compares two locations.</summary>
    /// <param name="left">One location.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SourceLocation left, SourceLocation right) => left.Equals(right);

    /// <summary>Compares two locations.</summary>
    /// <param name="left">One location.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SourceLocation left, SourceLocation right) => !left.Equals(right);

    /// <summary>The location as <c>file(line,column)</c>, the compiler's form.</summary>
    /// <returns>The location text.</returns>
    public override string ToString() =>
        Line > 0 ? $"{File}({Line.ToString(CultureInfo.InvariantCulture)},{Column.ToString(CultureInfo.InvariantCulture)})" : File;
}
