using System.Globalization;

namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// Seeds for randomised tests. Each test draws a fresh seed and prints it; set NATIVEMAP_TEST_SEED to replay one.
/// </summary>
public static class TestSeed
{
    /// <summary>The environment variable that pins the seed.</summary>
    public const string Variable = "NATIVEMAP_TEST_SEED";

    /// <summary>A seed, from the environment when set, else random; written to <paramref name="output"/>.</summary>
    public static int Next(ITestOutputHelper output)
    {
        string? pinned = Environment.GetEnvironmentVariable(Variable);
        int seed = pinned is { Length: > 0 } ? int.Parse(pinned, CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed = {seed} (replay with {Variable}={seed})");
        return seed;
    }
}
