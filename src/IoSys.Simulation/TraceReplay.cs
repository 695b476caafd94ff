namespace IoSys.Simulation;

/// <summary>How <see cref="TraceReplay"/> compares a run with its expected trace. Sequence numbers and times are never compared.</summary>
public sealed record TraceCompareOptions
{
    /// <summary>Exact: every access, with its offset, width, direction and value. The default.</summary>
    public static TraceCompareOptions Exact { get; } = new();

    /// <summary>
    /// Treat consecutive reads of the same offset and width that return the same value as one access, so that
    /// polling loops, whose number of reads depends on timing, compare equal. Default: false.
    /// </summary>
    public bool CollapseRepeatedReads { get; init; }

    /// <summary>Do not compare the values of reads (only where, how wide and in which order). Default: false.</summary>
    public bool IgnoreReadValues { get; init; }
}

/// <summary>The first difference between an expected trace and a run.</summary>
/// <param name="ExpectedIndex">Index in the expected trace of the access that differs (its count, if the expected trace ended).</param>
/// <param name="ActualIndex">Index in the run of the access that differs (its count, if the run ended).</param>
/// <param name="Expected">The expected access, or null if the expected trace ended first.</param>
/// <param name="Actual">The access made, or null if the run ended first.</param>
public sealed record TraceMismatch(int ExpectedIndex, int ActualIndex, TraceRecord? Expected, TraceRecord? Actual)
{
    /// <summary>One line: which access differs and how, e.g.
    /// <c>access #3 differs: expected write of 4 bytes at 0x8 = 0x5, got write of 4 bytes at 0x8 = 0x6</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"access #{ExpectedIndex} differs: expected {Expected?.Describe() ?? "no more accesses"}, got {Actual?.Describe() ?? "no more accesses"}" +
        (ActualIndex != ExpectedIndex ? $" (access #{ActualIndex} of the run)" : "");
}

/// <summary>A run did not make the accesses its expected trace recorded. Names the first differing access.</summary>
public sealed class TraceMismatchException : Exception
{
    /// <summary>Creates the exception for <paramref name="mismatch"/>.</summary>
    /// <param name="mismatch">The first difference.</param>
    public TraceMismatchException(TraceMismatch mismatch)
        : base("The run does not match the expected trace: " + mismatch)
    {
        Mismatch = mismatch;
    }

    /// <summary>The first difference.</summary>
    public TraceMismatch Mismatch { get; }
}

/// <summary>
/// Replays a recorded trace as the expectation of a later run: either after the fact
/// (<see cref="Verify(AccessTrace, AccessTrace, TraceCompareOptions?)"/>), or live (<see cref="Wrap(IoSysMap)"/>), where
/// the first access that differs throws <see cref="TraceMismatchException"/> from the driver's own call, with the
/// driver's stack.
/// </summary>
public sealed class TraceReplay
{
    private readonly object _lock = new();
    private readonly List<(int Index, TraceRecord Record)> _expected;
    private readonly TraceCompareOptions _options;
    private TraceRecord? _lastActual;
    private int _matched;

    /// <summary>Creates a live replay of <paramref name="expected"/>; use <see cref="Wrap(IoSysMap)"/>, then <see cref="Complete"/>.</summary>
    /// <param name="expected">The expected accesses.</param>
    /// <param name="options">How to compare. Default: <see cref="TraceCompareOptions.Exact"/>.</param>
    public TraceReplay(AccessTrace expected, TraceCompareOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        _options = options ?? TraceCompareOptions.Exact;
        _expected = Normalize(expected.Records, _options);
        Actual = new AccessTrace();
    }

    /// <summary>Every access made through the wrapped map so far.</summary>
    public AccessTrace Actual { get; }

    /// <summary>How many expected accesses (after collapsing, if asked) the run has matched so far.</summary>
    public int Matched
    {
        get
        {
            lock (_lock)
            {
                return _matched;
            }
        }
    }

    /// <summary>
    /// Wraps <paramref name="inner"/>: every access goes to it (checked) and is compared with the next expected one.
    /// A write that differs throws before reaching <paramref name="inner"/>; a read, after (its value is compared).
    /// </summary>
    /// <param name="inner">The map the run uses.</param>
    /// <returns>A map with <paramref name="inner"/>'s size, space and width rules.</returns>
    public IoSysMap Wrap(IoSysMap inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ObjectDisposedException.ThrowIf(inner.IsDisposed, inner);
        return IoSysMap.Create(new Backend(this, inner), inner.Size, inner.GetEffectiveOptions());
    }

    /// <summary>Checks that the run made every expected access.</summary>
    /// <exception cref="TraceMismatchException">Expected accesses remain; names the first one.</exception>
    public void Complete()
    {
        lock (_lock)
        {
            if (_matched < _expected.Count)
            {
                throw new TraceMismatchException(new TraceMismatch(_expected[_matched].Index, Actual.Count, _expected[_matched].Record, null));
            }
        }
    }

    /// <summary>The first difference between <paramref name="expected"/> and <paramref name="actual"/>, or null if they match.</summary>
    /// <param name="expected">The expected trace.</param>
    /// <param name="actual">The run's trace.</param>
    /// <param name="options">How to compare. Default: <see cref="TraceCompareOptions.Exact"/>.</param>
    /// <returns>The first mismatch, or null.</returns>
    public static TraceMismatch? FindMismatch(AccessTrace expected, AccessTrace actual, TraceCompareOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        options ??= TraceCompareOptions.Exact;
        var e = Normalize(expected.Records, options);
        var a = Normalize(actual.Records, options);
        for (int i = 0; i < Math.Max(e.Count, a.Count); i++)
        {
            if (i >= e.Count || i >= a.Count || !Same(e[i].Record, a[i].Record, options))
            {
                return new TraceMismatch(
                    i < e.Count ? e[i].Index : expected.Count,
                    i < a.Count ? a[i].Index : actual.Count,
                    i < e.Count ? e[i].Record : null,
                    i < a.Count ? a[i].Record : null);
            }
        }

        return null;
    }

    /// <summary>Checks that <paramref name="actual"/> matches <paramref name="expected"/>.</summary>
    /// <param name="expected">The expected trace.</param>
    /// <param name="actual">The run's trace.</param>
    /// <param name="options">How to compare. Default: <see cref="TraceCompareOptions.Exact"/>.</param>
    /// <exception cref="TraceMismatchException">They differ; names the first differing access.</exception>
    public static void Verify(AccessTrace expected, AccessTrace actual, TraceCompareOptions? options = null)
    {
        if (FindMismatch(expected, actual, options) is { } mismatch)
        {
            throw new TraceMismatchException(mismatch);
        }
    }

    private static bool Same(TraceRecord expected, TraceRecord actual, TraceCompareOptions options) =>
        expected.Offset == actual.Offset && expected.Width == actual.Width && expected.Direction == actual.Direction
        && (expected.Value == actual.Value || (options.IgnoreReadValues && expected.Direction == AccessDirection.Read));

    private static bool IsRepeat(TraceRecord previous, TraceRecord next) =>
        next.Direction == AccessDirection.Read && previous.Direction == AccessDirection.Read
        && previous.Offset == next.Offset && previous.Width == next.Width && previous.Value == next.Value;

    private static List<(int Index, TraceRecord Record)> Normalize(IReadOnlyList<TraceRecord> records, TraceCompareOptions options)
    {
        var result = new List<(int Index, TraceRecord Record)>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            if (!(options.CollapseRepeatedReads && i > 0 && IsRepeat(records[i - 1], records[i])))
            {
                result.Add((i, records[i]));
            }
        }

        return result;
    }

    // Compares one access of the run with the next expected one; throws on a difference.
    private void Check(long offset, int width, AccessDirection direction, ulong value)
    {
        lock (_lock)
        {
            int index = Actual.Count;
            var record = new TraceRecord(index, TimeSpan.Zero, offset, width, direction, value);
            bool repeat = _options.CollapseRepeatedReads && _lastActual is { } last && IsRepeat(last, record);
            _lastActual = record;
            if (!repeat)
            {
                if (_matched >= _expected.Count || !Same(_expected[_matched].Record, record, _options))
                {
                    (int Index, TraceRecord Record)? e = _matched < _expected.Count ? _expected[_matched] : null;
                    throw new TraceMismatchException(new TraceMismatch(e?.Index ?? _expected.Count, index, e?.Record, record));
                }

                _matched++;
            }

            Actual.Record(offset, width, direction, value);
        }
    }

    private sealed class Backend(TraceReplay replay, IoSysMap inner) : IoBackend
    {
        protected override ulong Read(long offset, int width)
        {
            ulong value = inner.Read(offset, width);
            replay.Check(offset, width, AccessDirection.Read, value);
            return value;
        }

        protected override void Write(long offset, int width, ulong value)
        {
            replay.Check(offset, width, AccessDirection.Write, value);
            inner.Write(offset, width, value);
        }
    }
}
