namespace IoSys;

public partial class IoSysMap
{
    /// <summary>
    /// Options that describe this map as it is: its space, whether it is read-only, whether unaligned accesses are
    /// allowed, and the widths it accepts as <see cref="IoMapOptions.WidthRules"/> relative to this map's start (a
    /// window's rules are rebased to the window). A map created with these options over a backend of
    /// <see cref="Size"/> bytes checks accesses exactly as this map does: what tracers and other wrappers use.
    /// </summary>
    /// <returns>The options; <see cref="IoMapOptions.SystemMemory"/> for the null map.</returns>
    public IoMapOptions GetEffectiveOptions()
    {
        if (_shared is null)
        {
            return IoMapOptions.SystemMemory;
        }

        IoMapOptions options = _shared.Options;
        if (options.Space == IoSpace.SystemMemory)
        {
            return options; // System memory carries no width rules.
        }

        return options with { Widths = AccessWidths.All, WidthRules = [.. _rules.ToWidthRules(_size, AccessWidths.All)] };
    }
}
