using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using NativeMap.Allocator;

namespace NativeMap.Demo;

/// <summary>
/// The seed experiment: fill a map of long to long with 10 M entries, remove them all, and watch the process's RSS
/// every second, for <see cref="Dictionary{TKey, TValue}"/> and for <see cref="NativeMap{TKey, TValue}"/> side by side.
/// The NativeMap shrinks as it empties and frees its arrays to its heap, whose scavenger returns them to the OS after
/// the decay (4 s here); the Dictionary keeps its arrays. At the end the heap's FreeOSMemory returns what is left.
/// </summary>
/// <remarks>
/// Each variant runs in a child process (this program started again with <see cref="ChildArgument"/> and the variant),
/// so that the two RSS curves start from the same clean baseline. The host program must route that argument to
/// <see cref="RunChild"/>: <c>if (args is [MapDemo.ChildArgument, var variant]) { MapDemo.RunChild(variant, Console.Out); return; }</c>.
/// When the children cannot be started or do not answer, both variants run in this process instead, the Dictionary
/// first, dropped and compacted away (GC with LOH compaction) before the NativeMap starts; the output says so.
/// </remarks>
public static class MapDemo
{
    /// <summary>The hidden argument that starts a child: <c>--map-demo-child dictionary|nativemap</c>.</summary>
    public const string ChildArgument = "--map-demo-child";

    private const int Entries = 10_000_000;
    private const string SampleTag = "map-demo-sample";
    private static readonly TimeSpan s_decay = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan s_childTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the experiment and prints both RSS curves to <paramref name="output"/>.</summary>
    public static void Run(TextWriter output)
    {
        output.WriteLine($"== NativeMap vs Dictionary<long, long>: fill {Entries:N0} entries, remove them all, watch RSS ==");
        output.WriteLine($"   (NativeMap on a SpanHeap with a {s_decay.TotalSeconds:F0} s decay; RSS sampled every second)");
        List<Sample>? dictionary = RunInChild("dictionary");
        List<Sample>? map = dictionary is null ? null : RunInChild("nativemap");
        if (dictionary is null || map is null)
        {
            output.WriteLine("   (child processes unavailable: running both here, Dictionary first, then a compacting GC)");
            dictionary = Collect("dictionary");
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            map = Collect("nativemap");
        }

        Print(output, dictionary, map);
    }

    /// <summary>The child side: runs one variant and writes its samples, one line each, to <paramref name="output"/>.</summary>
    /// <param name="variant"><c>dictionary</c> or <c>nativemap</c>.</param>
    /// <param name="output">Where the samples go (the parent reads the child's standard output).</param>
    public static void RunChild(string variant, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (Sample sample in Collect(variant))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{SampleTag} {sample.Seconds:F1} {sample.RssBytes} {sample.Phase}"));
        }
    }

    private static List<Sample> Collect(string variant)
    {
        var recorder = new Recorder();
        using var timer = new Timer(_ => recorder.Record(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        if (variant == "dictionary")
        {
            RunDictionary(recorder);
        }
        else if (variant == "nativemap")
        {
            RunNativeMap(recorder);
        }
        else
        {
            throw new ArgumentException($"unknown variant '{variant}' (dictionary or nativemap)", nameof(variant));
        }

        timer.Dispose();
        return recorder.Samples;
    }

    private static void RunDictionary(Recorder recorder)
    {
        var dictionary = new Dictionary<long, long>();
        recorder.Phase("filling", mark: true);
        Fill((key, value) => dictionary[key] = value);
        recorder.Phase("removing", mark: true);
        Drain(key => dictionary.Remove(key));
        recorder.Phase("empty, idle", mark: true);
        Idle(recorder);
        recorder.Phase("end (kept until TrimExcess)", mark: true);
        GC.KeepAlive(dictionary);
    }

    private static void RunNativeMap(Recorder recorder)
    {
        using var heap = new SpanHeap(new SpanHeapOptions { Name = "map-demo", ScavengeDecay = s_decay });
        using var map = new NativeMap<long, long>(0, heap);
        recorder.Phase("filling", mark: true);
        Fill((key, value) => map[key] = value);
        recorder.Phase("removing", mark: true);
        Drain(key => map.Remove(key));
        recorder.Phase("empty, idle", mark: true);
        Idle(recorder);
        heap.FreeOSMemory();
        recorder.Phase("after FreeOSMemory", mark: true);
    }

    /// <summary>Waits for the decay plus two seconds, sampling every second (the timer does), so the release shows.</summary>
    private static void Idle(Recorder recorder)
    {
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed < s_decay + TimeSpan.FromSeconds(2))
        {
            recorder.WaitForNextSample();
        }
    }

    private static void Fill(Action<long, long> set)
    {
        ulong state = 42;
        for (int i = 0; i < Entries; i++)
        {
            long key = (long)SplitMix(ref state);
            set(key, i);
        }
    }

    private static void Drain(Action<long> remove)
    {
        ulong state = 42;
        for (int i = 0; i < Entries; i++)
        {
            remove((long)SplitMix(ref state));
        }
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static List<Sample>? RunInChild(string variant)
    {
        string? path = Environment.ProcessPath;
        if (path is null)
        {
            return null;
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            string? assembly = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(assembly))
            {
                return null;
            }

            start.ArgumentList.Add(assembly);
        }

        start.ArgumentList.Add(ChildArgument);
        start.ArgumentList.Add(variant);
        try
        {
            using Process child = Process.Start(start)!;
            Task<string> read = child.StandardOutput.ReadToEndAsync();
            if (!child.WaitForExit(s_childTimeout))
            {
                child.Kill(entireProcessTree: true);
                return null;
            }

            var samples = new List<Sample>();
            foreach (string line in read.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] parts = line.Split(' ', 4);
                if (parts.Length == 4 && parts[0] == SampleTag)
                {
                    samples.Add(new Sample(
                        double.Parse(parts[1], CultureInfo.InvariantCulture),
                        long.Parse(parts[2], CultureInfo.InvariantCulture),
                        parts[3]));
                }
            }

            return child.ExitCode == 0 && samples.Count > 0 ? samples : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void Print(TextWriter output, List<Sample> dictionary, List<Sample> map)
    {
        output.WriteLine($"{"t",4}  {"Dictionary RSS",14}  {"phase",-28}  {"NativeMap RSS",13}  {"phase",-28}");
        int seconds = (int)Math.Ceiling(Math.Max(dictionary[^1].Seconds, map[^1].Seconds));
        for (int t = 0; t <= seconds; t++)
        {
            Sample? d = At(dictionary, t);
            Sample? m = At(map, t);
            output.WriteLine($"{t,3}s  {Cell(d),14}  {d?.Phase ?? "",-28}  {Cell(m),13}  {m?.Phase ?? "",-28}");
        }

        Sample dictionaryPeak = dictionary.MaxBy(s => s.RssBytes)!;
        Sample mapPeak = map.MaxBy(s => s.RssBytes)!;
        output.WriteLine();
        output.WriteLine($"Peak RSS: Dictionary {MiB(dictionaryPeak.RssBytes)}, NativeMap {MiB(mapPeak.RssBytes)}. " +
            $"At the end: Dictionary {MiB(dictionary[^1].RssBytes)} ({dictionary[^1].Phase}), NativeMap {MiB(map[^1].RssBytes)} ({map[^1].Phase}).");
        output.WriteLine();

        static string Cell(Sample? s) => s is null ? "" : MiB(s.RssBytes);

        // The last sample taken by second t (half a second of slack for the timer); none once a run has ended.
        static Sample? At(List<Sample> samples, int t)
        {
            if (t > samples[^1].Seconds + 1)
            {
                return null;
            }

            Sample? last = null;
            foreach (Sample s in samples)
            {
                if (s.Seconds <= t + 0.5)
                {
                    last = s;
                }
            }

            return last;
        }
    }

    private static string MiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F0} MiB");

    /// <summary>One RSS sample.</summary>
    private sealed record Sample(double Seconds, long RssBytes, string Phase);

    /// <summary>Collects samples from the timer thread; phase changes also record a sample at once.</summary>
    private sealed class Recorder
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _sampled = new(0);
        private string _phase = "start";

        public List<Sample> Samples { get; } = new();

        public void Phase(string phase, bool mark)
        {
            lock (_lock)
            {
                _phase = phase;
            }

            if (mark)
            {
                Record();
            }
        }

        public void Record()
        {
            long rss = ProcessMemory.GetResidentBytes();
            lock (_lock)
            {
                Samples.Add(new Sample(_clock.Elapsed.TotalSeconds, rss, _phase));
            }

            _sampled.Release();
        }

        /// <summary>Blocks until the timer records its next sample.</summary>
        public void WaitForNextSample()
        {
            while (_sampled.CurrentCount > 0)
            {
                _sampled.Wait();
            }

            _sampled.Wait();
        }
    }
}
