using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace IoSys.Benchmarks;

/// <summary>
/// The cost of one operation (a 32-bit read at 0x10 of a 4 KiB file) four ways, per operation, in one run:
/// <c>iosys batch</c> of 10,000 <c>read 0x10</c> lines in one process (<c>OperationsPerInvoke</c> = 10,000, so the
/// reported time is per operation), the same read as one <c>iosys read FILE 0x10</c> process, as one
/// <c>xxd -s 0x10 -l 4 FILE</c> process (the baseline), and the platform's floor, a NativeAOT "hello world" published
/// in the same run. Sampling: iterations of exactly 10 invocations (unroll 1); the suite's <c>BenchConfig</c> job
/// sets 8 warmup and 30 measured iterations, which win over this class's 2 and 20, so a run times 300 process runs of
/// each single-operation case and 300 batches (3,000,000 operations); every output is checked once before timing.
/// <c>IOSYS_CLI=/path/to/iosys dotnet run -c Release --project bench/IoSys.Benchmarks -- --filter '*CliBatch*'</c>.
/// </summary>
[Config(typeof(Sampling))]
public class CliBatchBenchmarks : CliBenchmarkBase
{
    /// <summary>In-process (no generated project), 2 warmup and 20 measured iterations of exactly 10 invocations (unroll 1).</summary>
    private sealed class Sampling : ManualConfig
    {
        public Sampling() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(20).WithInvocationCount(10).WithUnrollFactor(1)
            .WithId("Sampled"));
    }

    /// <summary>Operations in the batch script.</summary>
    public const int Operations = 10_000;

    private static string? s_hello;
    private string _script = "";

    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(4096, ["xxd"], b => Noise(b, 3));
        if (SkipReason is not null)
        {
            return;
        }

        _script = File + ".batch";
        var text = new StringBuilder();
        for (int i = 0; i < Operations; i++)
        {
            text.Append("read 0x10\n");
        }

        System.IO.File.WriteAllText(_script, text.ToString());
        string script = _script; // the base class's [GlobalCleanup] removes the data file; this removes the script
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.File.Delete(script);
        uint expected = BitConverter.ToUInt32(System.IO.File.ReadAllBytes(File), 0x10);
        string line = $"0x{expected:x8}\n";
        string batch = Run(Cli, ["batch", _script, "--target", File]);
        if (batch.Length != line.Length * Operations || !batch.StartsWith(line, StringComparison.Ordinal) || !batch.EndsWith(line, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"iosys batch printed {batch.Length} characters, expected {Operations} lines of {line.Trim()}");
        }

        s_hello ??= PublishHello();
        if (Run(s_hello, []) != "hello\n")
        {
            throw new InvalidOperationException("the hello-world binary did not print hello");
        }
    }

    [Benchmark(Baseline = true, Description = "xxd -s 0x10 -l 4 (1 process per op)")]
    public string Xxd() => SkipReason is null ? Run("xxd", ["-s", "0x10", "-l", "4", File]) : "";

    [Benchmark(Description = "iosys read FILE 0x10 (1 process per op)")]
    public string IosysProcess() => SkipReason is null ? Run(Cli, ["read", File, "0x10"]) : "";

    [Benchmark(OperationsPerInvoke = Operations, Description = "iosys batch, 10,000 reads (per op)")]
    public void IosysBatch()
    {
        if (SkipReason is null)
        {
            Run(Cli, ["batch", _script, "--target", File], toDevNull: true);
        }
    }

    [Benchmark(Description = "NativeAOT hello world (1 process)")]
    public string Hello() => SkipReason is null ? Run(s_hello!, []) : "";

    /// <summary>Publishes a NativeAOT "hello world" (the same SDK, RID and the tool's size-neutral settings) to a temporary folder.</summary>
    private static string PublishHello()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"iosys-bench-hello-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllText(Path.Combine(dir, "hello.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <PublishAot>true</PublishAot>
                <InvariantGlobalization>true</InvariantGlobalization>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        System.IO.File.WriteAllText(Path.Combine(dir, "Program.cs"), "System.Console.Out.Write(\"hello\\n\");\n");
        var info = new ProcessStartInfo("dotnet", ["publish", dir, "-c", "Release", "-o", Path.Combine(dir, "out"), "--nologo"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        using Process p = Process.Start(info)!;
        string log = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string binary = Path.Combine(dir, "out", "hello");
        return p.ExitCode == 0 && System.IO.File.Exists(binary)
            ? binary
            : throw new InvalidOperationException($"publishing the NativeAOT hello world failed (exit {p.ExitCode}):\n{log}");
    }
}
