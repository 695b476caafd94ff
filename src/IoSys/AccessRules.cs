namespace IoSys;

/// <summary>
/// The widths a map accepts at each offset, as sorted segments that cover <c>[0, size)</c>: segment i covers
/// <c>[starts[i], starts[i + 1])</c> and accepts <c>widths[i]</c>. Immutable; offsets are map-relative.
/// </summary>
internal sealed class AccessRules
{
    private readonly long[] _starts;
    private readonly AccessWidths[] _widths;

    private AccessRules(long[] starts, AccessWidths[] widths)
    {
        _starts = starts;
        _widths = widths;
    }

    public static AccessRules Uniform(AccessWidths widths) => new([0], [widths]);

    /// <summary>Builds the segments for a map of <paramref name="size"/> bytes: the default, narrowed by every rule it overlaps.</summary>
    public static AccessRules Build(long size, AccessWidths defaults, IEnumerable<IoWidthRule> rules)
    {
        var result = Uniform(defaults);
        foreach (IoWidthRule rule in rules)
        {
            if (rule.Offset >= size)
            {
                continue;
            }

            long end = rule.Length > size - rule.Offset ? size : rule.Offset + rule.Length;
            result = result.Narrow(rule.Offset, end, rule.Widths);
        }

        return result;
    }

    public bool IsUniform => _starts.Length == 1;

    /// <summary>The widths accepted by every byte of <c>[start, start + length)</c>.</summary>
    public AccessWidths Throughout(long start, long length)
    {
        int i = IndexOf(start);
        AccessWidths widths = _widths[i];
        long end = start + length;
        for (i++; i < _starts.Length && _starts[i] < end; i++)
        {
            widths &= _widths[i];
        }

        return widths;
    }

    /// <summary>Whether an access of <paramref name="width"/> bytes at <paramref name="offset"/> is accepted.</summary>
    public bool Allows(long offset, int width) => Throughout(offset, width).Allows(width);

    /// <summary>The rules of a window <c>[offset, offset + length)</c>, rebased to the window's start.</summary>
    public AccessRules Slice(long offset, long length)
    {
        if (IsUniform)
        {
            return this;
        }

        int first = IndexOf(offset);
        long end = offset + length;
        var starts = new List<long> { 0 };
        var widths = new List<AccessWidths> { _widths[first] };
        for (int i = first + 1; i < _starts.Length && _starts[i] < end; i++)
        {
            starts.Add(_starts[i] - offset);
            widths.Add(_widths[i]);
        }

        return new AccessRules([.. starts], [.. widths]);
    }

    /// <summary>These rules with <c>[start, end)</c> further restricted to <paramref name="allowed"/>.</summary>
    public AccessRules Narrow(long start, long end, AccessWidths allowed)
    {
        var starts = new List<long>();
        var widths = new List<AccessWidths>();
        void Add(long s, AccessWidths w)
        {
            if (starts.Count > 0 && starts[^1] == s)
            {
                widths[^1] = w;
            }
            else if (widths.Count > 0 && widths[^1] == w)
            {
                return; // Same widths as the previous segment: merge.
            }
            else
            {
                starts.Add(s);
                widths.Add(w);
            }
        }

        // Boundaries: the existing ones plus start and end.
        var cuts = new SortedSet<long>(_starts) { start, end };
        foreach (long cut in cuts)
        {
            AccessWidths w = _widths[IndexOf(cut)];
            if (cut >= start && cut < end)
            {
                w &= allowed;
            }

            Add(cut, w);
        }

        return new AccessRules([.. starts], [.. widths]);
    }

    /// <summary>Intersection with <paramref name="other"/> (both map-relative).</summary>
    public AccessRules Intersect(AccessRules other)
    {
        AccessRules result = this;
        for (int i = 0; i < other._starts.Length; i++)
        {
            long end = i + 1 < other._starts.Length ? other._starts[i + 1] : long.MaxValue;
            result = result.Narrow(other._starts[i], end, other._widths[i]);
        }

        return result;
    }

    /// <summary>The segments of a map of <paramref name="size"/> bytes that accept other widths than <paramref name="defaults"/>, as rules.</summary>
    public IEnumerable<IoWidthRule> ToWidthRules(long size, AccessWidths defaults)
    {
        for (int i = 0; i < _starts.Length && _starts[i] < size; i++)
        {
            long end = i + 1 < _starts.Length ? Math.Min(_starts[i + 1], size) : size;
            if (_widths[i] != defaults && end > _starts[i])
            {
                yield return new IoWidthRule(_starts[i], end - _starts[i], _widths[i]);
            }
        }
    }

    private int IndexOf(long offset)
    {
        int i = Array.BinarySearch(_starts, offset);
        return i >= 0 ? i : Math.Max(0, ~i - 1);
    }
}
