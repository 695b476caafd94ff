using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;
using IoSys.Registers.Descriptions;

namespace IoSys.Cli.Commands;

/// <summary>
/// <c>regs TARGET --svd FILE [--peripheral P] [--json] [--include-read-sensitive]</c>: every register of the
/// peripheral read once and decoded field by field. Write-only registers, and registers whose read has a side effect
/// (SVD <c>readAction</c>) unless asked for, are not read and are listed as skipped.
/// </summary>
internal static class RegsCommand
{
    private static readonly string[] Header = ["OFFSET", "REGISTER", "VALUE", "FIELD", "BITS", "VALUE", "MEANING"];

    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Option<bool> json = CommonOptions.Json();
        Option<bool> sensitive = new("--include-read-sensitive")
        {
            Description = "Also read registers whose read has a side effect (SVD readAction: e.g. a read pops a FIFO or clears flags)",
        };
        Option<bool> expand = new("--expand-arrays")
        {
            Description = "List every element of a register array (SVD dim, e.g. GPIODATA[0..255]) decoded, instead of one summary row per array (and one line per skipped element)",
        };
        var svd = new SvdOptions();
        var command = new Command("regs", "Read every register of a described peripheral and print it decoded field by field (needs --svd)")
        {
            target, json, sensitive, expand,
        };
        svd.AddTo(command);
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            RegisterView view = svd.Load(result, spec, context) ?? throw new UsageException("regs needs a register description: --svd FILE");
            bool includeSensitive = result.GetValue(sensitive);

            // Decide what to read from the description alone, then check every read against the map before the first
            // one: a device read can have side effects, so a refused register must stop the command before any read.
            var plan = new List<(RegisterInstance Register, long Offset, int Width)>();
            var skipped = new List<JsonSkippedRegister>();
            foreach (RegisterInstance r in view.Peripheral.Registers)
            {
                string? hazard = RegisterView.ReadHazard(r.Register);
                if (!RegisterView.TryWidth(r.Register, out int width))
                {
                    hazard = $"{r.Register.Size} bits: not an access width";
                }
                else if (hazard is not null && includeSensitive && r.Register.Access.CanRead())
                {
                    hazard = null;
                }

                if (hazard is not null)
                {
                    skipped.Add(new JsonSkippedRegister(r.Path, view.BaseOffset + (long)r.Offset, hazard));
                    continue;
                }

                plan.Add((r, view.BaseOffset + (long)r.Offset, width));
            }

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            foreach ((RegisterInstance r, long at, int width) in plan)
            {
                IoAccessError error = map.CheckAccess(at, width, write: false);
                if (error != IoAccessError.None)
                {
                    throw new CliRuntimeException(
                        $"{view.File}: register {r.Path} ({width * 8} bits at {ValueFormatter.Offset(at)}) cannot be read from {spec.Text}: " +
                        $"{map.CreateAccessException(error, at, width, write: false).Reason}; nothing was read");
                }
            }

            // Each register once, in the description's order; an array's elements are read like any register and then,
            // unless expanded, summed up in one entry (PL061's GPIODATA is 256 registers).
            bool expandArrays = result.GetValue(expand);
            var registers = new List<JsonRegister>(plan.Count);
            var arrays = new List<JsonRegisterArray>();
            var rows = new List<object>(plan.Count);
            for (int i = 0; i < plan.Count;)
            {
                string prefix = string.Empty;
                int count = expandArrays ? 1 : ArrayRun(plan, i, out prefix);
                if (count > 1)
                {
                    (RegisterInstance first, long at, int width) = plan[i];
                    var values = new ulong[count];
                    for (int k = 0; k < count; k++)
                    {
                        values[k] = map.Read(plan[i + k].Offset, width);
                    }

                    long stride = plan[i + 1].Offset - at;
                    var array = new JsonRegisterArray(
                        $"{prefix}[0..{count - 1}]", prefix, at, count, stride, width * 8, first.Register.Access.ToString(),
                        values[0], ValueFormatter.Hex(values[0], width), values[^1], ValueFormatter.Hex(values[^1], width), values.Distinct().Count());
                    arrays.Add(array);
                    rows.Add(array);
                    i += count;
                    continue;
                }

                (RegisterInstance r, long offset, int size) = plan[i++];
                ulong raw = map.Read(offset, size);
                var fields = new List<JsonField>(r.Register.Fields.Count);
                foreach (DecodedField f in RegisterCodec.Decode(r.Register, raw))
                {
                    fields.Add(new JsonField(f.Field.Name, f.Field.BitRangeText(), f.Field.Msb, f.Field.Lsb, f.Value, RegisterView.FieldHex(f.Value), f.Meaning?.Name, f.Field.Access.ToString()));
                }

                var register = new JsonRegister(r.Path, offset, size * 8, raw, ValueFormatter.Hex(raw, size), r.Register.Access.ToString(), fields);
                registers.Add(register);
                rows.Add(register);
            }

            if (result.GetValue(json))
            {
                var document = new JsonRegsResult(spec.Text, view.File, view.Peripheral.Name, view.Peripheral.BaseAddress, registers, arrays, skipped);
                JsonOutput.Write(context.Out, document, RegsJsonContext.Default.JsonRegsResult);
            }
            else
            {
                WriteTable(context.Out, spec, view, rows, plan.Count, skipped, expandArrays);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// How many registers from <paramref name="start"/> are the elements 0, 1, 2, ... of one register array: the same
    /// description, paths <c>PREFIX[0]</c>, <c>PREFIX[1]</c>, ... and one stride between offsets. 1 when not an array.
    /// </summary>
    private static int ArrayRun(List<(RegisterInstance Register, long Offset, int Width)> plan, int start, out string prefix)
    {
        prefix = string.Empty;
        string path = plan[start].Register.Path;
        if (!path.EndsWith("[0]", StringComparison.Ordinal))
        {
            return 1;
        }

        prefix = path[..^3];
        int n = 1;
        long stride = 0;
        while (start + n < plan.Count)
        {
            (RegisterInstance r, long offset, _) = plan[start + n];
            long step = offset - plan[start + n - 1].Offset;
            if (!ReferenceEquals(r.Register, plan[start].Register.Register)
                || r.Path != string.Create(CultureInfo.InvariantCulture, $"{prefix}[{n}]")
                || step <= 0 || (n > 1 && step != stride))
            {
                break;
            }

            stride = step;
            n++;
        }

        return n;
    }

    /// <summary>
    /// The table for people: one row per field, the register's offset, name and value on its first row; an array in
    /// one row (its elements, stride and a digest of their values); columns aligned; names escaped (a description
    /// file is input too).
    /// </summary>
    private static void WriteTable(TextWriter output, TargetSpec spec, RegisterView view, List<object> entries, int read, List<JsonSkippedRegister> skipped, bool expandArrays)
    {
        var rows = new List<string[]> { Header };
        foreach (object entry in entries)
        {
            if (entry is JsonRegisterArray a)
            {
                // The digest goes in the last column, which is not padded: it does not widen the table.
                string digest = a.Distinct == 1
                    ? $"array of {a.Count}, stride {ValueFormatter.Offset(a.Stride)}: all {a.FirstHex}"
                    : $"array of {a.Count}, stride {ValueFormatter.Offset(a.Stride)}: {a.Distinct} distinct values, last {a.LastHex} (--expand-arrays lists them)";
                rows.Add([ValueFormatter.Offset(a.Offset), TextEscape.Escape(a.Name), a.FirstHex, "", "", "", digest]);
                continue;
            }

            var r = (JsonRegister)entry;
            string[] head = [ValueFormatter.Offset(r.Offset), TextEscape.Escape(r.Name), r.Hex];
            if (r.Fields.Count == 0)
            {
                rows.Add([.. head, "", "", "", ""]);
                continue;
            }

            for (int i = 0; i < r.Fields.Count; i++)
            {
                JsonField f = r.Fields[i];
                rows.Add([.. i == 0 ? head : ["", "", ""], TextEscape.Escape(f.Name), f.Bits, f.Hex, TextEscape.Escape(f.Meaning ?? "")]);
            }
        }

        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"{TextEscape.Escape(view.Peripheral.Name)} ({TextEscape.Escape(view.File)}) on {TextEscape.Escape(spec.Text)}: {read} registers read, {skipped.Count} skipped\n"));
        var line = new StringBuilder();
        foreach (string[] row in rows)
        {
            line.Clear();
            for (int c = 0; c < columns; c++)
            {
                line.Append(c == columns - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            output.Write(line.ToString().TrimEnd());
            output.Write('\n');
        }

        // A skipped array (a read-sensitive FIFO[%s]) is one line, as a read one is one row, unless expanded.
        for (int i = 0; i < skipped.Count;)
        {
            JsonSkippedRegister s = skipped[i];
            string prefix = string.Empty;
            long stride = 0;
            int count = expandArrays ? 1 : SkippedRun(skipped, i, out prefix, out stride);
            if (count > 1)
            {
                output.Write(string.Create(CultureInfo.InvariantCulture,
                    $"skipped {TextEscape.Escape(prefix)}[0..{count - 1}] at {ValueFormatter.Offset(s.Offset)}: {TextEscape.Escape(s.Reason)} (array of {count}, stride {ValueFormatter.Offset(stride)})\n"));
            }
            else
            {
                output.Write($"skipped {TextEscape.Escape(s.Name)} at {ValueFormatter.Offset(s.Offset)}: {TextEscape.Escape(s.Reason)}\n");
            }

            i += count;
        }
    }

    /// <summary>
    /// How many skipped entries from <paramref name="start"/> are the elements 0, 1, ... of one array (<c>X[0]</c>,
    /// <c>X[1]</c>, ...) skipped for the same reason at a constant stride; 1 if that entry starts none.
    /// </summary>
    private static int SkippedRun(List<JsonSkippedRegister> skipped, int start, out string prefix, out long stride)
    {
        prefix = string.Empty;
        stride = 0;
        string name = skipped[start].Name;
        if (!name.EndsWith("[0]", StringComparison.Ordinal))
        {
            return 1;
        }

        prefix = name[..^3];
        int n = 1;
        while (start + n < skipped.Count)
        {
            JsonSkippedRegister next = skipped[start + n];
            long step = next.Offset - skipped[start + n - 1].Offset;
            if (next.Reason != skipped[start].Reason
                || next.Name != string.Create(CultureInfo.InvariantCulture, $"{prefix}[{n}]")
                || step <= 0 || (n > 1 && step != stride))
            {
                break;
            }

            stride = step;
            n++;
        }

        return n;
    }
}

/// <summary>One field of a register in <c>regs --json</c>: its value shifted down to bit 0.</summary>
internal sealed record JsonField(string Name, string Bits, int Msb, int Lsb, ulong Value, string Hex, string? Meaning, string Access);

/// <summary>One register read by <c>regs --json</c>: offset in bytes from the start of the target, size in bits.</summary>
internal sealed record JsonRegister(string Name, long Offset, int Size, ulong Value, string Hex, string Access, IReadOnlyList<JsonField> Fields);

/// <summary>A register <c>regs</c> did not read, and why.</summary>
internal sealed record JsonSkippedRegister(string Name, long Offset, string Reason);

/// <summary>
/// A register array read by <c>regs --json</c> (without <c>--expand-arrays</c>): <c>Count</c> elements of <c>Size</c>
/// bits from <c>Offset</c>, <c>Stride</c> bytes apart; the first and last values and how many distinct values.
/// </summary>
internal sealed record JsonRegisterArray(string Name, string Array, long Offset, int Count, long Stride, int Size, string Access, ulong First, string FirstHex, ulong Last, string LastHex, int Distinct);

/// <summary><c>regs --json</c>.</summary>
internal sealed record JsonRegsResult(string Target, string Svd, string Peripheral, ulong BaseAddress, IReadOnlyList<JsonRegister> Registers, IReadOnlyList<JsonRegisterArray> Arrays, IReadOnlyList<JsonSkippedRegister> Skipped);

/// <summary>Source-generated serializers for <c>regs --json</c> (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JsonRegsResult))]
internal sealed partial class RegsJsonContext : JsonSerializerContext;
