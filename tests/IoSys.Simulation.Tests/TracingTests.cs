using IoSys.Devices.Edu;
using System.Globalization;
using static IoSys.Devices.Edu.EduRegisters;
using Edu = IoSys.Devices.Edu.EduRegisterBlock;

namespace IoSys.Simulation.Tests;

public sealed class TracingTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly EduDevice _edu;

    public TracingTests()
    {
        _edu = new EduDevice(new EduDeviceOptions { Time = _clock, FactorialTime = TimeSpan.FromMilliseconds(3) });
    }

    public void Dispose() => _edu.Dispose();

    // A small "driver": liveness check and a factorial, polling.
    private void Drive(IoSysMap map, uint liveness, uint n)
    {
        map.Write32(Edu.Liveness.Offset, liveness);
        _ = map.Read32(Edu.Liveness.Offset);
        map.Write32(Edu.Factorial.Offset, n);
        while (Edu.Status.Read(map).Computing)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        _ = map.Read32(Edu.Factorial.Offset);
    }

    [Fact]
    public void Wrapped_map_records_every_access_in_order_with_time_offset_width_direction_and_value()
    {
        IoSysMap traced = TracingMap.Wrap(_edu.Map, out AccessTrace trace, _clock);
        traced.Write32(Edu.Liveness.Offset, 0x0000_00ff);
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(0xffff_ff00u, traced.Read32(Edu.Liveness.Offset));
        traced.Write64(Edu.DmaCount.Offset, 0x1_0000_0000);

        Assert.Equal(
            [
                new TraceRecord(0, TimeSpan.Zero, Edu.Liveness.Offset, 4, AccessDirection.Write, 0xff),
                new TraceRecord(1, TimeSpan.FromMilliseconds(2), Edu.Liveness.Offset, 4, AccessDirection.Read, 0xffff_ff00),
                new TraceRecord(2, TimeSpan.FromMilliseconds(2), Edu.DmaCount.Offset, 8, AccessDirection.Write, 0x1_0000_0000),
            ],
            trace.Records);
        Assert.Same(trace, Assert.IsType<TracingMap>(traced.Backend).Trace);
    }

    [Fact]
    public void Wrapped_map_keeps_the_inner_maps_width_rules_and_refused_accesses_are_not_recorded()
    {
        IoSysMap traced = TracingMap.Wrap(_edu.Map, out AccessTrace trace);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => traced.Read8(Edu.Identification.Offset)).Error);
        Assert.Equal(0, trace.Count);

        // A bulk read is chunked by the wrapper's rules, which are edu's: 4-byte accesses below 0x80.
        traced.ReadBytes(0, new byte[8]);
        Assert.Equal([(0L, 4), (4L, 4)], trace.Records.Select(r => (r.Offset, r.Width)));
        Assert.True(traced.IsIoMem);
        Assert.Equal(_edu.Map.Size, traced.Size);
    }

    [Fact]
    public void Window_of_a_wrapped_map_is_traced_at_the_inner_offset()
    {
        IoSysMap traced = TracingMap.Wrap(_edu.Map.Slice(0x80, 0x20), out AccessTrace trace);
        Assert.Equal(AccessWidths.Bits32 | AccessWidths.Bits64, traced.WidthsAt(0));
        traced.Write64(0x10, 5); // Inner offset 0x10 = edu 0x90 (DMA count).
        Assert.Equal(5UL, _edu.Map.Read64(Edu.DmaCount.Offset));
        Assert.Equal(0x10, Assert.Single(trace.Records).Offset);
    }

    [Fact]
    public void Text_form_is_one_mmiotrace_like_line_per_access_and_parses_back()
    {
        IoSysMap traced = TracingMap.Wrap(_edu.Map, out AccessTrace trace, _clock);
        Drive(traced, 0x1234, 4);
        string text = trace.ToText();
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("#", lines[0], StringComparison.Ordinal);
        Assert.Equal("W 4 0.000000 0 0x4 0x00001234", lines[1]);
        Assert.Equal("R 4 0.000000 1 0x4 0xffffedcb", lines[2]);
        Assert.Equal(trace.Count + 1, lines.Length);

        AccessTrace parsed = AccessTrace.ParseText(text);
        Assert.Equal(trace.Records, parsed.Records);
        Assert.Throws<FormatException>(() => AccessTrace.ParseText("X 4 0 0 0x0 0x0"));
    }

    [Fact]
    public void Json_form_round_trips()
    {
        IoSysMap traced = TracingMap.Wrap(_edu.Map, out AccessTrace trace, _clock);
        Drive(traced, 7, 5);
        traced.Write64(Edu.DmaSource.Offset, ulong.MaxValue & DmaMask);
        string json = trace.ToJson();
        Assert.Contains("\"format\": \"iosys-trace\"", json, StringComparison.Ordinal);
        Assert.Contains("\"direction\": \"Write\"", json, StringComparison.Ordinal);
        Assert.Equal(trace.Records, AccessTrace.FromJson(json).Records);
        Assert.Throws<FormatException>(() => AccessTrace.FromJson("{\"format\":\"other\"}"));
        Assert.Throws<FormatException>(() => AccessTrace.FromJson("not json"));
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(0, 4)]
    [InlineData(4, -8)]
    public void Json_form_refuses_records_the_text_form_refuses(int width, long offset)
    {
        string json = $$"""
            {"format":"iosys-trace","version":1,"accesses":[
              {"sequence":0,"timestamp":"00:00:00","offset":{{offset}},"width":{{width}},"direction":"Read","value":0}]}
            """;
        Assert.Throws<FormatException>(() => AccessTrace.FromJson(json));
        string line = string.Create(CultureInfo.InvariantCulture, $"R {width} 0.000000 0 0x{offset:x} 0x0");
        Assert.Throws<FormatException>(() => AccessTrace.ParseText(line));
    }

    // Issue 16 row 9: every number of a text line, out of range or not finite, is the documented FormatException
    // (before the fix, 1e300 and 1e20 threw OverflowException and NaN ArgumentException from TimeSpan.FromSeconds).
    [Theory]
    [InlineData("R 4 1e300 0 0x0 0x0")]
    [InlineData("R 4 1e20 0 0x0 0x0")]
    [InlineData("R 4 Infinity 0 0x0 0x0")]
    [InlineData("R 4 -Infinity 0 0x0 0x0")]
    [InlineData("R 4 NaN 0 0x0 0x0")]
    [InlineData("R 4 -1 0 0x0 0x0")]
    [InlineData("R 4 9e11 0 0x0 0x0")]
    [InlineData("R 4 899999999999.9999996 0 0x0 0x0")] // rounds to the limit: written back it would be refused
    [InlineData("R 4 1e-400x 0 0x0 0x0")]
    [InlineData("R 99999999999 0 0 0x0 0x0")]
    [InlineData("R -4 0 0 0x0 0x0")]
    [InlineData("R 4.0 0 0 0x0 0x0")]
    [InlineData("R 4 0 99999999999999999999 0x0 0x0")]
    [InlineData("R 4 0 -1 0x0 0x0")]
    [InlineData("R 4 0 0 0x8000000000000000 0x0")]
    [InlineData("R 4 0 0 0x1ffffffffffffffff 0x0")]
    [InlineData("R 4 0 0 0x0 0x1ffffffffffffffff")]
    [InlineData("R 4 0 0 0x 0x0")]
    public void Text_form_refuses_every_out_of_range_number_with_FormatException(string line)
    {
        FormatException e = Assert.Throws<FormatException>(() => AccessTrace.ParseText("# header\n" + line));
        Assert.Contains("Line 2", e.Message, StringComparison.Ordinal);
    }

    // Found by the AFL++ trace target (tests/IoSys.Cli.Fuzz.Afl): a timestamp finer than the microsecond was kept to the
    // tick, written back rounded to the microsecond, and so read back as another trace.
    [Theory]
    [InlineData("W 8 0.5888888888 1 0x80 0x7788")]
    [InlineData("W 1 1.25555555555 2 0xff 0xab")]
    [InlineData("R 4 899999999999.9999994 0 0x0 0x0")]
    [InlineData("R 4 123456789012.345678 0 0x0 0x0")]
    [InlineData("R 4 1e-7 0 0x0 0x0")]
    public void Text_form_reads_back_what_it_writes(string line)
    {
        AccessTrace parsed = AccessTrace.ParseText(line);
        Assert.Equal(parsed.Records, AccessTrace.ParseText(parsed.ToText()).Records);
        Assert.Equal(0, parsed.Records[0].Timestamp.Ticks % TimeSpan.TicksPerMicrosecond);
    }

    [Fact]
    public void Text_form_keeps_the_largest_timestamp_it_accepts()
    {
        TraceRecord record = Assert.Single(AccessTrace.ParseText("R 4 899999999999.5 0 0x0 0x0").Records);
        Assert.Equal(899999999999.5, record.Timestamp.TotalSeconds, 3);
    }

    [Theory]
    [InlineData("\"-00:00:01\"", "4", "0")]
    [InlineData("\"99999999999.00:00:00\"", "4", "0")]
    [InlineData("\"00:00:00\"", "1e30", "0")]
    [InlineData("\"00:00:00\"", "4", "1e30")]
    [InlineData("\"00:00:00\"", "4", "9223372036854775808")]
    public void Json_form_refuses_out_of_range_numbers_with_FormatException(string timestamp, string width, string offset)
    {
        string json = $$"""
            {"format":"iosys-trace","version":1,"accesses":[
              {"sequence":0,"timestamp":{{timestamp}},"offset":{{offset}},"width":{{width}},"direction":"Read","value":0}]}
            """;
        Assert.Throws<FormatException>(() => AccessTrace.FromJson(json));
    }

    [Fact]
    public void Json_form_accepts_a_valid_record_written_by_hand()
    {
        const string json = """
            {"format":"iosys-trace","version":1,"accesses":[
              {"sequence":0,"timestamp":"00:00:00","offset":8,"width":4,"direction":"Write","value":10}]}
            """;
        TraceRecord record = Assert.Single(AccessTrace.FromJson(json).Records);
        Assert.Equal((8L, 4, AccessDirection.Write, 10UL), (record.Offset, record.Width, record.Direction, record.Value));
    }

    [Fact]
    public void Json_form_with_null_accesses_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => AccessTrace.FromJson("""{"format":"iosys-trace","version":1,"accesses":null}"""));
    }

    [Fact]
    public void Replay_of_the_same_run_matches()
    {
        IoSysMap first = TracingMap.Wrap(_edu.Map, out AccessTrace expected, _clock);
        Drive(first, 0x55, 6);
        _edu.Reset();
        IoSysMap second = TracingMap.Wrap(_edu.Map, out AccessTrace actual, _clock);
        Drive(second, 0x55, 6);
        Assert.Null(TraceReplay.FindMismatch(expected, actual));
        TraceReplay.Verify(expected, actual);
    }

    [Fact]
    public void Replay_with_a_deliberate_mismatch_names_the_first_differing_access()
    {
        IoSysMap first = TracingMap.Wrap(_edu.Map, out AccessTrace expected, _clock);
        Drive(first, 0x55, 6);
        _edu.Reset();
        IoSysMap second = TracingMap.Wrap(_edu.Map, out AccessTrace actual, _clock);
        Drive(second, 0x55, 7); // The third access writes 7, not 6.

        TraceMismatchException e = Assert.Throws<TraceMismatchException>(() => TraceReplay.Verify(expected, actual));
        Assert.Equal(2, e.Mismatch.ExpectedIndex);
        Assert.Equal(2, e.Mismatch.ActualIndex);
        Assert.Equal(6UL, e.Mismatch.Expected?.Value);
        Assert.Equal(7UL, e.Mismatch.Actual?.Value);
        Assert.Contains("access #2", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected write of 4 bytes at 0x8 = 0x6, got write of 4 bytes at 0x8 = 0x7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_reports_a_run_that_stops_early_or_goes_on()
    {
        AccessTrace expected = AccessTrace.FromRecords(
        [
            new TraceRecord(0, TimeSpan.Zero, Edu.Liveness.Offset, 4, AccessDirection.Write, 1),
            new TraceRecord(0, TimeSpan.Zero, Edu.Liveness.Offset, 4, AccessDirection.Read, 0xffff_fffe),
        ]);
        IoSysMap traced = TracingMap.Wrap(_edu.Map, out AccessTrace actual);
        traced.Write32(Edu.Liveness.Offset, 1);
        TraceMismatch early = TraceReplay.FindMismatch(expected, actual)!;
        Assert.Equal((1, 1), (early.ExpectedIndex, early.ActualIndex));
        Assert.Null(early.Actual);

        _ = traced.Read32(Edu.Liveness.Offset);
        _ = traced.Read32(Edu.Identification.Offset);
        TraceMismatch late = TraceReplay.FindMismatch(expected, actual)!;
        Assert.Equal(2, late.ExpectedIndex);
        Assert.Null(late.Expected);
        Assert.Equal(Edu.Identification.Offset, late.Actual?.Offset);
    }

    [Fact]
    public void Polling_runs_of_different_lengths_match_when_repeated_reads_are_collapsed()
    {
        IoSysMap first = TracingMap.Wrap(_edu.Map, out AccessTrace expected, _clock);
        Drive(first, 1, 3); // Edu.Factorial.Offset time 3 ms, 1 ms per poll: several busy reads.
        _edu.Reset();
        var slow = new EduDevice(new EduDeviceOptions { Time = _clock, FactorialTime = TimeSpan.FromMilliseconds(6) });
        using (slow)
        {
            IoSysMap second = TracingMap.Wrap(slow.Map, out AccessTrace actual, _clock);
            Drive(second, 1, 3);
            Assert.NotEqual(expected.Count, actual.Count);
            Assert.NotNull(TraceReplay.FindMismatch(expected, actual));
            Assert.Null(TraceReplay.FindMismatch(expected, actual, new TraceCompareOptions { CollapseRepeatedReads = true }));
        }
    }

    [Fact]
    public void Live_replay_throws_at_the_differing_access_before_a_wrong_write_reaches_the_device()
    {
        IoSysMap recorder = TracingMap.Wrap(_edu.Map, out AccessTrace expected, _clock);
        Drive(recorder, 0x10, 5);
        _edu.Reset();

        var replay = new TraceReplay(expected, new TraceCompareOptions { CollapseRepeatedReads = true });
        IoSysMap checkedMap = replay.Wrap(_edu.Map);
        checkedMap.Write32(Edu.Liveness.Offset, 0x10);
        Assert.Equal(~0x10u, checkedMap.Read32(Edu.Liveness.Offset));
        TraceMismatchException e = Assert.Throws<TraceMismatchException>(() => checkedMap.Write32(Edu.Factorial.Offset, 9));
        Assert.Equal(2, e.Mismatch.ExpectedIndex);
        Assert.Equal(5UL, e.Mismatch.Expected?.Value);
        Assert.False(_edu.IsComputing); // The wrong write never reached the device.
        Assert.Equal(2, replay.Matched);
        Assert.Throws<TraceMismatchException>(replay.Complete);
    }

    [Fact]
    public void Live_replay_of_a_matching_run_completes()
    {
        IoSysMap recorder = TracingMap.Wrap(_edu.Map, out AccessTrace expected, _clock);
        Drive(recorder, 0x10, 5);
        _edu.Reset();
        var replay = new TraceReplay(expected);
        Drive(replay.Wrap(_edu.Map), 0x10, 5);
        replay.Complete();
        Assert.Equal(expected.Count, replay.Actual.Count);
    }

    [Fact]
    public void Tracing_a_system_memory_map_keeps_its_space()
    {
        using IoSysMap ram = IoSysMap.Allocate(64);
        IoSysMap traced = TracingMap.Wrap(ram, out AccessTrace trace);
        traced.Write8(3, 0x7f);
        Assert.Equal(0x7f, ram.Read8(3));
        Assert.False(traced.IsIoMem);
        Assert.Equal(new TraceRecord(0, trace.Records[0].Timestamp, 3, 1, AccessDirection.Write, 0x7f), Assert.Single(trace.Records));
    }

    [Fact]
    public void Wrapping_a_read_only_map_refuses_writes_at_the_wrapper()
    {
        using IoSysMap ram = IoSysMap.Allocate(64, IoMapOptions.SystemMemory.AsReadOnly());
        IoSysMap traced = TracingMap.Wrap(ram, out AccessTrace trace);
        Assert.True(traced.IsReadOnly);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => traced.Write32(0, 1)).Error);
        Assert.Equal(0, trace.Count);
    }

    [Fact]
    public void Ignoring_read_values_compares_only_where_how_wide_and_in_which_order()
    {
        AccessTrace expected = AccessTrace.FromRecords([new TraceRecord(0, TimeSpan.Zero, Edu.Status.Offset, 4, AccessDirection.Read, 1)]);
        AccessTrace actual = AccessTrace.FromRecords([new TraceRecord(0, TimeSpan.Zero, Edu.Status.Offset, 4, AccessDirection.Read, 0)]);
        Assert.NotNull(TraceReplay.FindMismatch(expected, actual));
        Assert.Null(TraceReplay.FindMismatch(expected, actual, new TraceCompareOptions { IgnoreReadValues = true }));
        AccessTrace wider = AccessTrace.FromRecords([new TraceRecord(0, TimeSpan.Zero, Edu.Status.Offset, 8, AccessDirection.Read, 1)]);
        Assert.NotNull(TraceReplay.FindMismatch(expected, wider, new TraceCompareOptions { IgnoreReadValues = true }));
    }
}
