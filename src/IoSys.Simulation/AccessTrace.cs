using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoSys.Simulation;

/// <summary>
/// One access in an <see cref="AccessTrace"/>: its sequence number, when it happened, where (offset in bytes from the
/// start of the traced map), how wide (bytes), which direction and the value read or written.
/// </summary>
/// <param name="Sequence">Position in the trace, from 0.</param>
/// <param name="Timestamp">Time since the trace started (or was cleared), on the trace's clock.</param>
/// <param name="Offset">Offset in bytes from the start of the traced map.</param>
/// <param name="Width">Width in bytes: 1, 2, 4 or 8.</param>
/// <param name="Direction">Read or write.</param>
/// <param name="Value">The value read or written, zero-extended.</param>
public readonly record struct TraceRecord(long Sequence, TimeSpan Timestamp, long Offset, int Width, AccessDirection Direction, ulong Value)
{
    /// <summary>
    /// One line in the spirit of the kernel's mmiotrace: direction, width, seconds, sequence, offset, value, e.g.
    /// <c>W 4 0.000012 3 0x8 0x0000000a</c>. The seconds are rounded to the microsecond.
    /// </summary>
    /// <returns>The line, without a line break.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Direction == AccessDirection.Read ? 'R' : 'W')} {Width} {Seconds(Timestamp)} {Sequence} 0x{Offset:x} 0x{Value.ToString("x" + (Width * 2), CultureInfo.InvariantCulture)}");

    // Whole microseconds in integers: a double's 0.000000 format loses digits past 2^53 microseconds (285 years), so the
    // text of a large timestamp would not read back as itself.
    private static string Seconds(TimeSpan timestamp)
    {
        if (timestamp.Ticks < 0)
        {
            return timestamp.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture); // Refused by ParseText anyway.
        }

        long micros = (timestamp.Ticks / 5 + 1) / 2; // Ticks / 10, rounded half up, without overflow.
        return string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    /// <summary>The access without sequence and time, e.g. <c>W 4 at 0x8 = 0xa</c>, for mismatch reports.</summary>
    /// <returns>The description.</returns>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(Direction == AccessDirection.Read ? "read" : "write")} of {Width} bytes at 0x{Offset:x} = 0x{Value:x}");
}

/// <summary>
/// A recorded sequence of accesses to a map (see <see cref="TracingMap"/>), printable as mmiotrace-like text or JSON,
/// and usable as the expectation of a later run (see <see cref="TraceReplay"/>). Thread-safe.
/// </summary>
public sealed class AccessTrace
{
    private const string TextHeader = "# iosys trace v1: dir width seconds seq offset value";
    private readonly object _lock = new();
    private readonly List<TraceRecord> _records = [];
    private readonly TimeProvider _time;
    private long _start;

    /// <summary>Creates an empty trace whose timestamps follow <paramref name="time"/>.</summary>
    /// <param name="time">The clock for timestamps. Default: <see cref="TimeProvider.System"/>.</param>
    public AccessTrace(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    /// <summary>How many accesses are recorded.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>A snapshot of the recorded accesses, in order.</summary>
    public IReadOnlyList<TraceRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Builds a trace from records (e.g. written by hand as a test's expectation); sequence numbers are reassigned.</summary>
    /// <param name="records">The accesses, in order.</param>
    /// <returns>The trace.</returns>
    public static AccessTrace FromRecords(IEnumerable<TraceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var trace = new AccessTrace();
        foreach (TraceRecord record in records)
        {
            trace.Add(record);
        }

        return trace;
    }

    /// <summary>Appends an access with the next sequence number and the current time.</summary>
    /// <param name="offset">Offset in bytes from the start of the traced map.</param>
    /// <param name="width">Width in bytes: 1, 2, 4 or 8.</param>
    /// <param name="direction">Read or write.</param>
    /// <param name="value">The value, zero-extended.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8.</exception>
    public TraceRecord Record(long offset, int width, AccessDirection direction, ulong value)
    {
        _ = AccessWidthsExtensions.FromBytes(width);
        lock (_lock)
        {
            var record = new TraceRecord(_records.Count, _time.GetElapsedTime(_start), offset, width, direction, value);
            _records.Add(record);
            return record;
        }
    }

    /// <summary>Forgets every access and restarts sequence numbers and time at zero.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _records.Clear();
            _start = _time.GetTimestamp();
        }
    }

    /// <summary>The trace as text: a header comment, then one mmiotrace-like line per access (<see cref="TraceRecord.ToString"/>).</summary>
    /// <returns>The text, each line ending in <c>\n</c>.</returns>
    public string ToText()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        WriteText(writer);
        return writer.ToString();
    }

    /// <summary>Writes the trace as text (see <see cref="ToText"/>).</summary>
    /// <param name="writer">Where to write.</param>
    public void WriteText(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(TextHeader);
        foreach (TraceRecord record in Records)
        {
            writer.WriteLine(record.ToString());
        }
    }

    /// <summary>
    /// Parses text written by <see cref="ToText"/>; lines starting with <c>#</c> and blank lines are skipped. Timestamps
    /// are kept to the microsecond, the precision <see cref="ToText"/> writes, so that text parsed and written again
    /// reads back as the same trace.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="FormatException">A line is not a trace line, or one of its numbers is out of range (a width, sequence, offset or
    /// value that does not fit; a timestamp that is negative, not finite, or 9e11 seconds or more); the message names the line number.</exception>
    public static AccessTrace ParseText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<TraceRecord>();
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 6 || f[0] is not ("R" or "W")
                || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
                || !decimal.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out decimal seconds)
                || !long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)
                || !TryParseHex(f[4], out ulong offset) || offset > long.MaxValue
                || !TryParseHex(f[5], out ulong value))
            {
                throw new FormatException($"Line {lineNumber} is not a trace line (dir width seconds seq 0xoffset 0xvalue): '{line}'.");
            }

            // Decimal, not double: exact, so a timestamp is kept to the microsecond (the precision ToText writes) and
            // reads back as itself; 1e300, Infinity and NaN are not decimals. (The AFL++ trace target found that
            // "0.5888888888" was kept to the tick, written back as 0.588889, and read back as another trace.)
            long micros = seconds < 0 || seconds >= (decimal)MaxTimestampSeconds
                ? -1
                : (long)decimal.Round(seconds * 1_000_000m, MidpointRounding.AwayFromZero);
            if (micros < 0 || micros >= (long)MaxTimestampSeconds * 1_000_000)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Line {lineNumber} is not a trace line (timestamp '{f[2]}' is not a number of seconds from 0 to {MaxTimestampSeconds:0}): '{line}'."));
            }

            var record = new TraceRecord(sequence, TimeSpan.FromTicks(micros * TimeSpan.TicksPerMicrosecond), (long)offset, width,
                f[0] == "R" ? AccessDirection.Read : AccessDirection.Write, value);
            if (RecordProblem(record) is { } problem)
            {
                throw new FormatException($"Line {lineNumber} is not a trace line ({problem}): '{line}'.");
            }

            records.Add(record);
        }

        var trace = new AccessTrace();
        trace._records.AddRange(records);
        return trace;
    }

    /// <summary>The trace as indented JSON: <c>{"format":"iosys-trace","version":1,"accesses":[{"sequence":0,...}]}</c>.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() =>
        JsonSerializer.Serialize(new TraceDocument { Accesses = [.. Records] }, TraceJsonContext.Default.TraceDocument);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The trace, with the recorded sequence numbers and timestamps.</returns>
    /// <exception cref="FormatException">The text is not an IoSys trace.</exception>
    public static AccessTrace FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        TraceDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, TraceJsonContext.Default.TraceDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not an IoSys trace: {e.Message}", e);
        }

        if (document is not { Format: TraceDocument.FormatName, Version: 1 })
        {
            throw new FormatException($"Not an IoSys trace: expected format '{TraceDocument.FormatName}' version 1.");
        }

        if (document.Accesses is null)
        {
            throw new FormatException("Not an IoSys trace: 'accesses' must be an array.");
        }

        for (int i = 0; i < document.Accesses.Count; i++)
        {
            if (RecordProblem(document.Accesses[i]) is { } problem)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Not an IoSys trace: access {i}: {problem}."));
            }
        }

        var trace = new AccessTrace();
        trace._records.AddRange(document.Accesses);
        return trace;
    }

    // The largest timestamp a text trace may carry, in seconds: below TimeSpan.MaxValue (about 9.22e11 s) with
    // room for double rounding, so TimeSpan.FromSeconds never overflows.
    private const double MaxTimestampSeconds = 9e11;

    // What both parsers require of a record beyond its syntax; null if it is a valid access.
    private static string? RecordProblem(TraceRecord record) => record switch
    {
        { Timestamp.Ticks: < 0 } => $"timestamp {record.Timestamp} is negative",
        { Width: not (1 or 2 or 4 or 8) } => string.Create(CultureInfo.InvariantCulture, $"width {record.Width} is not 1, 2, 4 or 8"),
        { Offset: < 0 } => string.Create(CultureInfo.InvariantCulture, $"offset {record.Offset} is negative"),
        { Sequence: < 0 } => string.Create(CultureInfo.InvariantCulture, $"sequence {record.Sequence} is negative"),
        { Direction: not (AccessDirection.Read or AccessDirection.Write) } => $"direction {record.Direction} is not read or write",
        _ => null,
    };

    private void Add(TraceRecord record)
    {
        lock (_lock)
        {
            _records.Add(record with { Sequence = _records.Count });
        }
    }

    private static bool TryParseHex(string s, out ulong value)
    {
        value = 0;
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>The JSON form of a trace.</summary>
internal sealed class TraceDocument
{
    public const string FormatName = "iosys-trace";

    public string Format { get; set; } = FormatName;

    public int Version { get; set; } = 1;

    public List<TraceRecord> Accesses { get; set; } = [];
}

/// <summary>Source-generated serialization for traces (no reflection: AOT and trimming safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TraceDocument))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;
