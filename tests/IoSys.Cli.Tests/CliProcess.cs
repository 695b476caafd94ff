using System.Diagnostics;

namespace IoSys.Cli.Tests;

/// <summary>The result of one run of the tool.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the real tool as a child process: the binary named by IOSYS_CLI (e.g. the NativeAOT build), or else
/// <c>dotnet IoSys.Cli.dll</c> from the build output next to the tests.
/// </summary>
public static class CliProcess
{
    private static readonly (string FileName, string[] Prefix) Command = Locate();

    /// <summary>
    /// Runs a <c>/bin/sh</c> script in which <c>"$@"</c> is the command that runs the tool (for redirections and pipes
    /// a test must set up as a shell would), with <paramref name="env"/> exported; returns the shell's exit code.
    /// </summary>
    public static int RunInShell(string script, IDictionary<string, string> env)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(Command.FileName);
        foreach (string p in Command.Prefix)
        {
            info.ArgumentList.Add(p);
        }

        foreach ((string key, string value) in env)
        {
            info.Environment[key] = value;
        }

        using Process shell = Process.Start(info) ?? throw new InvalidOperationException("could not start /bin/sh");
        if (!shell.WaitForExit(60_000))
        {
            shell.Kill(entireProcessTree: true);
            throw new TimeoutException($"sh -c '{script}' did not exit within 60 s");
        }

        return shell.ExitCode;
    }

    /// <summary>Whether the tests are running the binary named by IOSYS_CLI.</summary>
    public static bool IsExternalBinary => Environment.GetEnvironmentVariable("IOSYS_CLI") is { Length: > 0 };

    public static CliResult Run(params string[] args) => Run(null, TimeSpan.FromSeconds(60), args);

    public static CliResult RunWithEnv(IDictionary<string, string> env, params string[] args) => Run(env, TimeSpan.FromSeconds(60), args);

    public static CliResult Run(IDictionary<string, string>? env, TimeSpan timeout, params string[] args)
    {
        using Process process = Start(env, args, redirectInput: false);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"iosys {string.Join(' ', args)} did not exit within {timeout}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the tool without waiting (for watch).</summary>
    public static Process Start(IDictionary<string, string>? env, string[] args, bool redirectInput)
    {
        var info = new ProcessStartInfo(Command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string p in Command.Prefix)
        {
            info.ArgumentList.Add(p);
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (env is not null)
        {
            foreach ((string key, string value) in env)
            {
                info.Environment[key] = value;
            }
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start iosys");
    }

    private static (string, string[]) Locate()
    {
        if (Environment.GetEnvironmentVariable("IOSYS_CLI") is { Length: > 0 } binary)
        {
            return File.Exists(binary) ? (binary, []) : throw new FileNotFoundException($"IOSYS_CLI names '{binary}', which does not exist");
        }

        string dll = Path.Combine(AppContext.BaseDirectory, "IoSys.Cli.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"IoSys.Cli.dll is not next to the tests ({dll}); build tests/IoSys.Cli.Tests");
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return (dotnet, [dll]);
    }
}

/// <summary>A temporary directory deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "iosys-cli-" + Guid.NewGuid().ToString("n")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates a file with <paramref name="bytes"/> and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
