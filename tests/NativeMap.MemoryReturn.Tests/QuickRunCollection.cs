namespace NativeMap.MemoryReturn.Tests;

/// <summary>
/// The tests that read the --quick run. Not run in parallel with anything else in this assembly: the run measures RSS
/// in its child processes, and four of them at once already fill the two cores of the reference machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuickRunCollection : ICollectionFixture<QuickRun>
{
    public const string Name = "memory-return quick run";
}
