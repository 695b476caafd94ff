using IoSys.Cli;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using SharpFuzz;

// One AFL++ target per parser: the input is UTF-8 text. Parsing may succeed or throw UsageException (the tool's
// documented refusal); anything else escapes, and AFL++ records the input as a crash.
Action<string>? parse = args.Length == 1 ? args[0] switch
{
    "number" => text =>
    {
        Only(() => NumberParser.ParseValue(text, "value"));
        Only(() => NumberParser.ParseValue(text, "value", 16));
        Only(() => NumberParser.ParseOffset(text));
        Only(() => NumberParser.ParseWidthBits(text));
        Only(() =>
        {
            TimeSpan d = NumberParser.ParseDuration(text, "timeout");
            return d >= TimeSpan.Zero && d <= TimeSpan.FromDays(1) ? d : throw new InvalidOperationException($"duration {d} outside [0, 1 day]");
        });
    },
    "target" => text => Only(() =>
    {
        TargetSpec spec = TargetSpec.Parse(text);
        return spec.Text == text && spec.Index is >= 0 and <= 5 ? spec : throw new InvalidOperationException("target parsed inconsistently");
    }),
    "escape" => text =>
    {
        string escaped = TextEscape.Escape(text);
        if (escaped.Any(c => c < ' ' || c is >= '\u007f' and <= '\u009f'))
        {
            throw new InvalidOperationException("escaped text kept a control character");
        }
    },
    _ => null,
} : null;

if (parse is null)
{
    Console.Error.WriteLine("usage: IoSys.Cli.Fuzz.Afl number|target|escape   (run under afl-fuzz; see run.sh)");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
    parse(reader.ReadToEnd());
});
return 0;

static void Only<T>(Func<T> parse)
{
    try
    {
        parse();
    }
    catch (UsageException)
    {
    }
}
