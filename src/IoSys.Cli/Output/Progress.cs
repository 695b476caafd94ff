using System.Diagnostics;
using System.Globalization;

namespace IoSys.Cli.Output;

/// <summary>
/// A one-line progress bar on standard error for long transfers. It stays silent unless standard error is a
/// terminal and the transfer has already run for about a second, so scripts and quick commands never see it.
/// </summary>
internal sealed class Progress : IDisposable
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly string _label;
    private readonly long _total;
    private readonly bool _enabled;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.Zero; // Drawing starts after Delay (> Redraw), so the first check passes.
    private bool _drawn;

    public Progress(CliContext context, string label, long total, bool enabled = true)
    {
        _error = context.Error;
        _label = label;
        _total = total;
        _enabled = enabled && context.ErrorIsTerminal && total > 0;
    }

    /// <summary>Reports that <paramref name="done"/> of the total bytes are through.</summary>
    public void Report(long done)
    {
        if (!_enabled)
        {
            return;
        }

        TimeSpan now = _clock.Elapsed;
        if (now < Delay || now - _lastDraw < Redraw)
        {
            return;
        }

        Draw(done, now);
    }

    /// <summary>Ends the bar's line, showing the final state, if a bar was drawn.</summary>
    public void Dispose()
    {
        if (_drawn)
        {
            Draw(_total, _clock.Elapsed);
            ErrorReporter.TryWrite(_error, "\n");
        }
    }

    private void Draw(long done, TimeSpan now)
    {
        _lastDraw = now;
        _drawn = true;
        double fraction = Math.Clamp((double)done / _total, 0, 1);
        const int Cells = 30;
        int full = (int)(fraction * Cells);
        double mibPerSecond = done / now.TotalSeconds / (1 << 20);
        ErrorReporter.TryWrite(_error, string.Create(CultureInfo.InvariantCulture,
            $"\r{_label} [{new string('#', full)}{new string('.', Cells - full)}] {fraction * 100,3:0}% {done >> 20}/{_total >> 20} MiB {mibPerSecond:0.0} MiB/s "));
    }
}
