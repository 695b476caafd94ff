using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace IoSys.Packaging.Tests;

/// <summary>Runs dotnet (or another program) as a child process with a timeout, and finds the repository.</summary>
internal static class Dotnet
{
    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="directory"/>; kills the process tree and fails the test if
    /// it outlives <paramref name="timeout"/>. MSBuild variables of the test host are removed (they would point the
    /// child at the test's own build); <paramref name="environment"/> entries are added (a null value removes one).
    /// </summary>
    public static (int ExitCode, string Output) Run(ITestOutputHelper output, TimeSpan timeout, string directory,
        IReadOnlyDictionary<string, string?>? environment, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (program == "dotnet" && arguments[0] is "build" or "pack" or "publish")
        {
            start.ArgumentList.Add("-nodeReuse:false"); // no build server left running after the test
            start.ArgumentList.Add("-p:UseSharedCompilation=false");
        }

        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in {timeout}:\n{text}");
        }

        process.WaitForExit(); // flush the output readers
        string log;
        lock (text)
        {
            log = text.ToString();
        }

        output.WriteLine($"$ {program} {string.Join(' ', arguments)} -> {process.ExitCode}\n{log}");
        return (process.ExitCode, log);
    }

    /// <summary>
    /// The repository root: the folder that holds src/IoSys/IoSys.csproj, above this source file or, when the build
    /// mapped source paths (ContinuousIntegrationBuild turns them into <c>/_/...</c>), above the test assembly.
    /// </summary>
    public static string RepositoryRoot([CallerFilePath] string here = "")
    {
        foreach (string start in new[] { here, AppContext.BaseDirectory })
        {
            for (string? dir = Path.GetDirectoryName(start); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "src", "IoSys", "IoSys.csproj")))
                {
                    return dir;
                }
            }
        }

        throw new InvalidOperationException($"The repository root was not found above {here} or {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// A console project in <paramref name="app"/> that restores only from <paramref name="feed"/> and references only
    /// <paramref name="package"/> <paramref name="version"/>: empty Directory.*.props/targets stop MSBuild from picking
    /// up the repository's (or any folder's above the temp folder).
    /// </summary>
    public static void WriteConsumerProject(string app, string feed, string package, string version)
    {
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>Deletes a temporary folder, best effort (a folder left behind does no harm).</summary>
    public static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The tests that run dotnet builds run one at a time: each is a heavy multi-process build.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DotnetBuilds
{
    /// <summary>The collection's name.</summary>
    public const string Name = "dotnet builds";
}
