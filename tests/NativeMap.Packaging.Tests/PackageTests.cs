using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace NativeMap.Packaging.Tests;

/// <summary>
/// <c>dotnet pack</c> gives NuGet packages a service can link, and a console project built against them from a local
/// folder feed runs. Everything happens in a temporary folder of its own (feed, project, NuGet package cache), so the
/// test neither sees stale packages of the same version nor collides with other tests; the pack reuses the solution's
/// build (<c>--no-build</c>) and writes its intermediate files into that folder too.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output) : IDisposable
{
#if DEBUG_BUILD
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string[] s_packages = ["NativeMap.Allocator", "NativeMap"];

    private readonly string _root = Directory.CreateTempSubdirectory("nativemap-pack-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Pack_ThenBuildAndRunAConsoleAppAgainstThePackages()
    {
        string repository = FindRepository();
        string feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        foreach (string package in s_packages)
        {
            Run(repository, "pack", Path.Combine(repository, "src", package, package + ".csproj"), "-c", Configuration, "--no-build",
                "-o", feed, $"-p:NuspecOutputPath={Path.Combine(_root, "nuspec", package)}/");
        }

        string version = CheckPackage(feed, "NativeMap.Allocator", dependencies: []);
        Assert.Equal(version, CheckPackage(feed, "NativeMap", dependencies: ["NativeMap.Allocator"]));

        string app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NativeMap" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using NativeMap;
            using NativeMap.Allocator;

            using var heap = new SpanHeap(new SpanHeapOptions { Name = "packaged" });
            using var map = new NativeMap<long, long>(0, heap);
            for (long i = 0; i < 100_000; i++)
            {
                map[i] = 2 * i;
            }

            long sum = 0;
            foreach (var (_, value) in map)
            {
                sum += value;
            }

            bool hit = map.TryGetValue(4_242, out long found);
            Console.WriteLine($"count={map.Count} sum={sum} hit={hit}:{found} heap={heap.Name} inuse={heap.GetStats().InUseBytes > 0}");
            """);

        // The local feed, added to the machine's usual sources (NuGet merges this folder's nuget.config with the user's;
        // --configfile would replace them, and NativeMap's own dependencies, System.IO.Hashing, would not be found), plus
        // the machine's global packages folder as a feed so that dependencies restored before need no network. A
        // package cache of the test's own, so that a package of the same version restored earlier cannot stand in for
        // the one just packed.
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string globalFeed = Directory.Exists(globalPackages)
            ? $"""<add key="nativemap-global-packages" value="{globalPackages}" />"""
            : "";
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="nativemap-local" value="{feed}" />
                {globalFeed}
              </packageSources>
            </configuration>
            """);
        string cache = Path.Combine(_root, "packages");
        Run(app, "build", "app.csproj", "-c", "Release", $"-p:RestorePackagesPath={cache}");
        string result = Run(app, "bin/Release/net10.0/app.dll").Trim();
        Assert.Equal("count=100000 sum=9999900000 hit=True:8484 heap=packaged inuse=True", result);
        Assert.True(Directory.Exists(Path.Combine(cache, "nativemap", version)), "restored from the fresh packages");
    }

    /// <summary>Checks a package's contents and metadata (and that it depends on at least
    /// <paramref name="dependencies"/>); returns its version.</summary>
    private string CheckPackage(string feed, string id, string[] dependencies)
    {
        string path = Assert.Single(Directory.GetFiles(feed, id + ".*.nupkg"), p =>
            !Path.GetFileName(p).EndsWith(".symbols.nupkg", StringComparison.Ordinal)
            && char.IsAsciiDigit(Path.GetFileName(p)[(id.Length + 1)..][0]));
        using ZipArchive zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"{Path.GetFileName(path)}: {string.Join(", ", entries.Order(StringComparer.Ordinal))}");
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);   // XML docs
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);

        using Stream nuspecStream = zip.GetEntry(id + ".nuspec")!.Open();
        XElement metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);
        Assert.Equal(id, Field("id"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("expression", Element("license").Attribute("type")?.Value);
        Assert.Equal("README.md", Field("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.False(string.IsNullOrWhiteSpace(Field("authors")));
        XElement repository = Element("repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
        string[] dependsOn = [.. metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value)];
        Assert.All(dependencies, d => Assert.Contains(d, dependsOn));
        Assert.DoesNotContain(id == "NativeMap" ? "NativeMap.Tests" : "NativeMap", dependsOn); // no test or upward dependency
        return Field("version");
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NativeMap.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No NativeMap.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Runs the dotnet host that runs this test, with the build-server and telemetry noise off; throws with the
    /// output when it fails.</summary>
    private string Run(string directory, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments[0] is "build" or "pack")
        {
            start.ArgumentList.Add("--disable-build-servers");
            start.ArgumentList.Add("-nodeReuse:false");
        }

        // Variables the test host's own build set would point this one at the wrong MSBuild.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        var watch = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        try
        {
            // Lowest priority (nice 19), inherited by the MSBuild and compiler processes it starts: the build must not
            // starve the timing-sensitive tests that run beside this one (memory return within a decay).
            process.PriorityClass = ProcessPriorityClass.Idle;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            // Exited already, or not allowed here: run at normal priority.
        }

        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        process.BeginErrorReadLine();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took over 3 minutes");
        }

        process.WaitForExit();
        output.WriteLine($"dotnet {string.Join(' ', arguments)}: exit {process.ExitCode} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }
}
