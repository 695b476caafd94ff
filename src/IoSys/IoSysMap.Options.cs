namespace IoSys;

public partial class IoSysMap
{
    /// <summary>
    /// Options that describe this map as it is: its space, whether it is read-only, whether unaligned accesses are
    /// allowed, and the widths it accepts as <see cref="IoMapOptions.WidthRules"/> relative to this map's start (a
    /// window's rules are rebased to the window). A map created with these options over a backend of
    /// <see cref="Size"/> bytes checks accesses as this map does (what tracers and other wrappers use), with two
    /// exceptions:
    /// <list type="bullet">
    /// <item><description>A system-memory known-size window (<see cref="AsKnownSize{TSize}"/>) whose size type carries
    /// <see cref="IoWidthRuleAttribute"/>s refuses the widths those rules exclude, but system-memory options cannot
    /// carry width rules, so the options returned (this map's system-memory options, unchanged) accept every
    /// width there.</description></item>
    /// <item><description>Alignment is checked against the address, not the offset: a window whose start is not
    /// 8-byte aligned refuses (or, with <see cref="IoMapOptions.AllowUnaligned"/>, performs unaligned) accesses at
    /// offsets that a map created with these options over a backend, whose offsets start at an aligned 0, treats
    /// as aligned, and the other way round.</description></item>
    /// </list>
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

        return options with { Widths = AccessWidths.All, WidthRules = [.. _state.Rules.ToWidthRules(Size, AccessWidths.All)] };
    }
}
