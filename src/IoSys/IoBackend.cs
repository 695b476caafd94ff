namespace IoSys;

/// <summary>
/// A base for backends that handle every width in one place (simulated devices, tracers, recorders): implements the
/// four <see cref="IIoCapable{T}"/> widths of <see cref="IIoBackend"/> over one read and one write that take the
/// width in bytes and carry the value zero-extended in a <see cref="ulong"/>.
/// </summary>
/// <remarks>
/// The offsets are those of <see cref="IIoCapable{T}"/>: bytes from the start of the backend's own region, already
/// checked by the map for bounds, alignment and the widths it accepts. A backend that wants the typed calls without
/// the width switch implements <see cref="IIoBackend"/> directly.
/// </remarks>
public abstract class IoBackend : IIoBackend
{
    /// <summary>Reads one value.</summary>
    /// <param name="offset">Offset in bytes from the start of the backend's region.</param>
    /// <param name="width">The access width in bytes: 1, 2, 4 or 8.</param>
    /// <returns>The value read, in the low <paramref name="width"/> bytes (the rest are ignored).</returns>
    protected abstract ulong Read(long offset, int width);

    /// <summary>Writes one value.</summary>
    /// <param name="offset">Offset in bytes from the start of the backend's region.</param>
    /// <param name="width">The access width in bytes: 1, 2, 4 or 8.</param>
    /// <param name="value">The value, zero-extended from <paramref name="width"/> bytes.</param>
    protected abstract void Write(long offset, int width, ulong value);

    byte IIoCapable<byte>.IoRead(long offset) => (byte)Read(offset, sizeof(byte));

    ushort IIoCapable<ushort>.IoRead(long offset) => (ushort)Read(offset, sizeof(ushort));

    uint IIoCapable<uint>.IoRead(long offset) => (uint)Read(offset, sizeof(uint));

    ulong IIoCapable<ulong>.IoRead(long offset) => Read(offset, sizeof(ulong));

    void IIoCapable<byte>.IoWrite(long offset, byte value) => Write(offset, sizeof(byte), value);

    void IIoCapable<ushort>.IoWrite(long offset, ushort value) => Write(offset, sizeof(ushort), value);

    void IIoCapable<uint>.IoWrite(long offset, uint value) => Write(offset, sizeof(uint), value);

    void IIoCapable<ulong>.IoWrite(long offset, ulong value) => Write(offset, sizeof(ulong), value);
}
