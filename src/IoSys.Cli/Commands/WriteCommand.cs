using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;
using IoSys.Registers.Descriptions;

namespace IoSys.Cli.Commands;

/// <summary>
/// <c>write TARGET OFFSET VALUE [--width] [--read-back]</c>: exactly one access of the width. With <c>--svd</c>,
/// <c>write TARGET REG VALUE</c>, <c>write TARGET REG.FIELD=VALUE</c> (a read-modify-write of the field, printed).
/// </summary>
internal static class WriteCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        offset.Description += "; with --svd a register (CR), a field (CR.UARTEN) or an assignment (CR.UARTEN=1, then no VALUE)";
        Argument<string?> value = new("VALUE")
        {
            Description = "Value to write (0x hex, 0b binary, decimal); must fit the width. For a field, a number or one of its enumerated value names",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<string?> width = CommonOptions.Width("Access width in bits (default 32): one access of exactly this width");
        Option<bool> readBack = new("--read-back", "-r") { Description = "Read the value back after writing (one access) and print it" };
        Option<string> format = CommonOptions.Format();
        var svd = new SvdOptions();
        var command = new Command("write", "Write one value with one access of exactly the width (a field: one read and one write)") { target, offset, value, width, readBack, format };
        svd.AddTo(command);
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            RegisterView? view = svd.Load(result, spec, context);
            string where = result.GetRequiredValue(offset);
            string? valueText = result.GetValue(value);
            int eq = where.IndexOf('=', StringComparison.Ordinal);
            if (valueText is null && eq > 0)
            {
                // NAME=VALUE: the form a field write is usually typed in.
                valueText = where[(eq + 1)..];
                where = where[..eq];
            }
            else if (valueText is null)
            {
                throw new UsageException("missing VALUE: write TARGET OFFSET VALUE, or with --svd write TARGET REG.FIELD=VALUE");
            }

            RegisterLocation location = RegisterView.Locate(where, result.GetValue(width), 4, view);
            int w = location.Width;
            long at = location.Offset;
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));
            RegisterWrite? plan = Plan(location, valueText, view);
            ulong v = plan is null ? NumberParser.ParseValue(valueText, "value", w * 8) : plan.Value;

            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            CommonOptions.CheckRange(open.Map, spec, at, w, w, write: true);
            if (plan is { RequiresRead: true })
            {
                CommonOptions.CheckRange(open.Map, spec, at, w, w, write: false);
                ulong before = open.Map.Read(at, w);
                open.ThrowIfGone("reading"); // A removed device reads all ones: never merge a field into them.
                v = plan.Apply(before);
                open.Map.Write(at, w, v);
                context.Out.Write($"{Escaped(location)} = {RegisterView.FieldHex(plan.Value >> plan.Field!.Lsb)}: read-modify-write of {TextEscape.Escape(location.Register!.Path)}, " +
                    $"{ValueFormatter.Hex(before, w)} -> {ValueFormatter.Hex(v, w)}\n");
            }
            else
            {
                open.Map.Write(at, w, v);
                if (plan?.Field is { } field)
                {
                    context.Out.Write($"{Escaped(location)} = {RegisterView.FieldHex(plan.Value >> field.Lsb)}: write of {TextEscape.Escape(location.Register!.Path)}, {ValueFormatter.Hex(v, w)} (no read needed)\n");
                }
            }

            open.ThrowIfGone("writing"); // A removed device drops the write silently.

            if (result.GetValue(readBack))
            {
                context.Out.Write(ValueFormatter.Format(open.Map.Read(at, w), w, fmt));
                context.Out.Write('\n');
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Escaped(RegisterLocation location) => TextEscape.Escape(location.Describe());

    /// <summary>
    /// The description's plan for the write: a field write (read-modify-write unless the field is the whole register,
    /// enumerated names accepted), or a whole-register write checked against the register's access; null for a plain
    /// offset.
    /// </summary>
    private static RegisterWrite? Plan(RegisterLocation location, string valueText, RegisterView? view)
    {
        if (location.Register is not { } register || view is null)
        {
            return null;
        }

        if (location.Field is { } field)
        {
            return RegisterCodec.TryEncodeField(register.Register, field.Name, valueText, out RegisterWrite? write, out string? error)
                ? write
                : throw new UsageException($"{view.File}: {error} (writing '{valueText}' to {location.Describe()})");
        }

        if (!register.Register.Access.CanWrite())
        {
            throw new UsageException($"{view.File}: register {register.Path} is read-only");
        }

        ulong v = NumberParser.ParseValue(valueText, "value", location.Width * 8);
        if ((v & ~register.Register.SizeMask) != 0)
        {
            throw new UsageException($"{view.File}: value {valueText} does not fit register {register.Path} of {register.Register.Size} bits");
        }

        return null;
    }
}
