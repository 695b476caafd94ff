namespace IoSys.Cli.Fuzz;

/// <summary>
/// Generates <c>iosys</c> command lines from a seeded <see cref="Random"/>: command × target × numbers × widths ×
/// options, then mutates a share of them (drop, duplicate, swap, insert, replace). The same seed gives the same
/// sequence, so a failure is reproduced by its seed and case number.
/// </summary>
internal sealed class ArgumentGenerator(Random random, Fixtures fixtures)
{
    internal static readonly string[] Commands = ["read", "write", "dump", "fill", "load", "save", "poll", "watch", "list", "regs", "batch"];

    // Register names and assignments for --svd runs: edu's and PL011's, fields, enumerated names, and mistakes.
    private static readonly string[] Names =
    [
        "Identification", "Identification.Major", "Status.IrqOnFactorial", "Status.IrqOnFactorial=1", "Status.Computing=1", "DmaCommand.Direction=ToRam",
        "Liveness=0x12345678", "Liveness", "InterruptRaise", "identification", "Nope", "Status.Nope=1", "Status.=1", "=1", "Status.IrqOnFactorial=Sideways",
        "UARTCR.UARTEN=1", "UARTCR", "UARTDR", "UARTIFLS.RXIFLSEL=Half", "A.B.C", "X[3]", "X[", "CR\u001b[2J",
    ];

    // Mostly numbers that parse (so most runs reach the target), then boundaries and garbage.
    private static readonly string[] GoodNumbers =
    [
        "0", "1", "2", "3", "4", "8", "0x10", "0x3c", "0x40", "63", "64", "0x80", "0x100", "0xff0", "0x1000", "4096", "4097", "0b100", "0B11",
        "1K", "4K", "4KiB", "64K", "0x1_0", "1_000", "0xdeadbeef", "255", "0x10",
    ];

    private static readonly string[] Numbers =
    [
        "0", "1", "2", "3", "4", "8", "0x10", "0x3c", "0x40", "63", "64", "0x80", "0x100", "0xff0", "0x1000", "4096", "4097", "0b100", "0B11",
        "1K", "4K", "4KiB", "64K", "1M", "0x1_0", "1_000", "0x7fffffffffffffff", "0x8000000000000000", "0xffffffffffffffff",
        "18446744073709551616", "9223372036854775807", "9223372036854775808", "16G", "17179869184G", "8589934591G", "0x10000000000000000",
        "", " ", "-1", "+5", "0x", "0b", "0b2", "0xg", "1e3", "\uff11", "\u0663", "0x_1", "1_", "_1", "K", "4k", "4Ki", "4iB", "NaN", "\0", "1.5", "0x1p3",
        "0x0000000000000000000000001", "00000000000000000000000000000000000064", "0xdead_beef", "0xdeadbeef", "0x123456789", "255", "256", "65535", "65536",
    ];

    private static readonly string[] GoodWidths = ["8", "16", "32", "64"];

    private static readonly string[] Widths = ["8", "16", "32", "64", "8", "16", "32", "64", "0", "7", "128", "32bit", "8BIT", "", "x", "-32", "0x20", " 32 "];

    private static readonly string[] Durations = ["0", "1ms", "5ms", "10ms", "0.5ms", "10us", "0.001", "1e3", "-1ms", "NaN", "Infinity", "99999999999999999999m", "", "s", "ms", "2ms "];

    private static readonly string[] Intervals = ["0", "1ms", "3ms", "4s", "1440m", "1441m", "garbage"];

    private static readonly string[] Formats = ["hex", "dec", "bin", "x", "d", "b", "oct", "", "HEX"];

    private static readonly string[] Junk =
    [
        "--", "-", "-h", "--help", "--version", "--bogus", "-w", "--width", "--json", "--count", "-n", "--format", "-o", "--output", "--verify",
        "--read-back", "--words", "--mask", "--equals", "--timeout", "--interval", "--changes", "\u001b]0;x\u0007", "'", "\"", "$(id)", "*",
        "--width=32", "-w32", "--count=0", "read", "list", "sim:edu",
    ];

    public string[] Next()
    {
        string command = Pick(Commands);
        string target = Pick(fixtures.Targets);
        var args = new List<string> { command };
        switch (command)
        {
            case "read":
                args.AddRange([target, Pick(Numbers)]);
                Maybe(args, "--width", Widths);
                Maybe(args, "--count", ["1", "2", "3", "16", "0", "16777217", "-1", "x", "1K"]);
                Maybe(args, "--format", Formats);
                MaybeFlag(args, "--json");
                break;
            case "write":
                args.AddRange([target, Pick(Numbers), Pick(Numbers)]);
                Maybe(args, "--width", Widths);
                MaybeFlag(args, "--read-back");
                Maybe(args, "--format", Formats);
                break;
            case "dump":
                args.Add(target);
                if (random.Next(3) > 0)
                {
                    args.Add(Pick(Numbers));
                    if (random.Next(2) > 0)
                    {
                        args.Add(Pick(Numbers));
                    }
                }

                MaybeFlag(args, "--words");
                Maybe(args, "--width", Widths);
                Maybe(args, "--output", fixtures.OutputsFor(target));
                break;
            case "fill":
                args.AddRange([target, Pick(Numbers), Pick(Numbers), Pick(Numbers)]);
                Maybe(args, "--width", Widths);
                break;
            case "load":
                args.AddRange([Pick(fixtures.Targets), target]);
                if (random.Next(2) > 0)
                {
                    args.Add(Pick(Numbers));
                }

                Maybe(args, "--width", Widths);
                MaybeFlag(args, "--verify");
                break;
            case "save":
                args.AddRange([target, Pick(Numbers), Pick(Numbers), Pick(fixtures.OutputsFor(target))]);
                Maybe(args, "--width", Widths);
                break;
            case "poll":
                args.AddRange([target, Pick(Numbers), "--equals", Pick(Numbers)]);
                Maybe(args, "--mask", Numbers);
                Maybe(args, "--interval", Intervals);
                Maybe(args, "--width", Widths);
                MaybeFlag(args, "--json");
                args.AddRange(["--timeout", Pick(Durations)]);
                break;
            case "watch":
                args.AddRange([target, Pick(Numbers)]);
                Maybe(args, "--interval", Intervals);
                Maybe(args, "--width", Widths);
                Maybe(args, "--changes", ["0", "1", "x"]);
                args.AddRange(["--timeout", Pick(Durations)]);
                break;
            case "regs":
                args.AddRange([target, "--svd", Pick(fixtures.Descriptions)]);
                MaybeFlag(args, "--json");
                MaybeFlag(args, "--include-read-sensitive");
                MaybeFlag(args, "--expand-arrays");
                Maybe(args, "--peripheral", ["EDU", "UART", "A", "B", "nope"]);
                break;
            case "batch":
                // Never mutated: a mutation could name the FIFO or standard input as the script, which waits for a
                // writer by design (as watch without a timeout does).
                args.AddRange([Pick(fixtures.Scripts), "--target", target]);
                Maybe(args, "--svd", fixtures.Descriptions);
                return [.. args];
            default:
                MaybeFlag(args, "--json");
                break;
        }

        // Names instead of numbers, with a description (some of them hostile or not descriptions at all).
        if (args[0] is "read" or "write" or "poll" or "watch" && args.Count > 2 && random.Next(4) == 0)
        {
            args[2] = Pick(Names);
            if (args[0] == "write" && args[2].Contains('=', StringComparison.Ordinal))
            {
                args.RemoveAt(3);
            }

            args.AddRange(["--svd", Pick(fixtures.Descriptions)]);
        }

        if (random.Next(5) == 0)
        {
            Mutate(args);
        }

        // Watch without a timeout runs until Ctrl-C by design, and poll's default waits a second: keep both bounded.
        if (args.Count > 0 && args[0] is "watch" or "poll" && !args.Contains("--timeout") && !args.Contains("-t"))
        {
            args.AddRange(["--timeout", "5ms"]);
        }

        return [.. args];
    }

    private void Mutate(List<string> args)
    {
        int times = 1 + random.Next(3);
        for (int i = 0; i < times; i++)
        {
            int at = random.Next(args.Count + 1);
            switch (random.Next(6))
            {
                case 0 when args.Count > 1:
                    args.RemoveAt(Math.Max(1, Math.Min(at, args.Count - 1)));
                    break;
                case 1 when args.Count > 0:
                    args.Insert(at, args[random.Next(args.Count)]);
                    break;
                case 2 when args.Count > 2:
                    int a = 1 + random.Next(args.Count - 1), b = 1 + random.Next(args.Count - 1);
                    (args[a], args[b]) = (args[b], args[a]);
                    break;
                case 3:
                    args.Insert(at, Pick(Junk));
                    break;
                case 4:
                    args.Insert(at, Pick(Numbers));
                    break;
                default:
                    if (args.Count > 0)
                    {
                        args[random.Next(args.Count)] = RandomText();
                    }

                    break;
            }
        }
    }

    private string RandomText()
    {
        int length = random.Next(12);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = random.Next(8) switch
            {
                0 => (char)random.Next(0, 32),
                1 => (char)random.Next(0x80, 0x800),
                _ => (char)random.Next(32, 127),
            };
        }

        return new string(chars);
    }

    private void Maybe(List<string> args, string option, string[] values)
    {
        if (random.Next(3) == 0)
        {
            args.AddRange([option, Pick(values)]);
        }
    }

    private void MaybeFlag(List<string> args, string option)
    {
        if (random.Next(3) == 0)
        {
            args.Add(option);
        }
    }

    private string Pick(string[] values) =>
        ReferenceEquals(values, Numbers) && random.Next(4) > 0 ? Pick(GoodNumbers)
        : ReferenceEquals(values, Widths) && random.Next(3) > 0 ? Pick(GoodWidths)
        : ReferenceEquals(values, Durations) && random.Next(3) > 0 ? "5ms"
        : values[random.Next(values.Length)];
}
