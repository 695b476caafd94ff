namespace IoSys;

/// <summary>
/// Where a map's memory lives, after the kernel's <c>iosys_map.is_iomem</c>. The space decides how
/// every access is made: see <see cref="IoSysMap"/>.
/// </summary>
public enum IoSpace
{
    /// <summary>
    /// Ordinary RAM (files, shared memory, buffers). Typed accesses are single volatile accesses
    /// (the kernel's <c>READ_ONCE</c>/<c>WRITE_ONCE</c>); bulk operations use vectorized copies.
    /// </summary>
    SystemMemory = 0,

    /// <summary>
    /// Device memory (PCI BARs, UIO maps, <c>/dev/mem</c>). Every typed access is exactly one volatile
    /// access of the asked width, always aligned; bulk operations are split into aligned accesses of the
    /// widths the region accepts (the kernel's <c>readl</c>/<c>memcpy_toio</c>), never <c>memcpy</c>.
    /// </summary>
    IoMemory = 1,
}
