namespace IoSys;

/// <summary>
/// The backend primitive for one access width (the Rust <c>IoCapable&lt;T&gt;</c> role): one read or write of
/// exactly <typeparamref name="T"/>'s width. Implemented by simulated devices, tracers and test recorders;
/// a map whose memory is a backend calls it for every access after its checks pass.
/// </summary>
/// <remarks>
/// The offset a backend receives is always an offset in bytes from the start of the backend's
/// own region (never an address, never relative to a window): a window at offset 0x100 that reads its offset 4
/// calls the backend with 0x104. By the time a backend is called, the access is in bounds, aligned to its width
/// and of a width the map accepts there (unaligned only if the map allows unaligned accesses, in system memory).
/// </remarks>
/// <typeparam name="T">The access type: <see cref="byte"/>, <see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/>.</typeparam>
public interface IIoCapable<T>
    where T : unmanaged
{
    /// <summary>Reads one value of <typeparamref name="T"/>'s width.</summary>
    /// <param name="offset">Offset in bytes from the start of the backend's region.</param>
    /// <returns>The value read.</returns>
    T IoRead(long offset);

    /// <summary>Writes one value of <typeparamref name="T"/>'s width.</summary>
    /// <param name="offset">Offset in bytes from the start of the backend's region.</param>
    /// <param name="value">The value to write.</param>
    void IoWrite(long offset, T value);
}

/// <summary>A backend that provides every width: what <see cref="IoSysMap.Create(IIoBackend, long, IoMapOptions?)"/> takes.</summary>
public interface IIoBackend : IIoCapable<byte>, IIoCapable<ushort>, IIoCapable<uint>, IIoCapable<ulong>
{
}
