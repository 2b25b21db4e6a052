using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using NativeMap.Allocator;

namespace NativeMap.BytesBenchmarks.Memory;

/// <summary>
/// One variant's life cycle, in a process of its own: baseline, fill, forced full GCs, the scattered delete, compaction,
/// the decay, clear, the decay again. Streams samples (every 100 ms and at each phase's end), results and log lines to
/// standard output for the parent (<see cref="MemoryProgram"/>).
/// </summary>
public static class MemoryChild
{
    public const string Command = "memory-child";
    public const string ResultPrefix = "result ";
    public const string LogPrefix = "log ";

    private const int ForcedCollections = 3;
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_baseline = TimeSpan.FromSeconds(1);

    /// <summary>Extra idle after the decay, for a scavenger that runs late on a busy machine.</summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(3);

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        MemoryVariant variant = MemoryVariant.Find(args[0]);
        MemorySettings settings = MemorySettings.Parse(args.Skip(1).ToList());
        var lockOutput = new Lock();
        void Emit(string line)
        {
            lock (lockOutput)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }

        void Result(string name, double value) => Emit(string.Create(CultureInfo.InvariantCulture, $"{ResultPrefix}{name} {value:R}"));

        WarmUp(variant, settings);
        using var subject = Subject.Create(variant, settings);
        string phase = "baseline";
        var clock = Stopwatch.StartNew();
        long peak = 0;
        MemorySample Take()
        {
            HeapStats? heap = subject.Heap?.GetStats();
            var sample = new MemorySample(clock.Elapsed.TotalSeconds, phase, ProcessMemory.GetResidentBytes(), GC.GetTotalMemory(false),
                GC.GetGCMemoryInfo().TotalCommittedBytes, heap?.InUseBytes ?? -1, heap?.IdleBytes ?? -1, heap?.ReleasedBytes ?? -1);
            Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), sample.Rss));
            Emit(sample.Format());
            return sample;
        }

        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!stop.Wait(s_interval))
            {
                Take();
            }
        }) { IsBackground = true, Name = "memory-sampler" };
        sampler.Start();

        Thread.Sleep(s_baseline);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long baseline = Take().Rss;
        Result("baseline_rss", baseline);

        phase = "fill";
        TimeSpan pauseBefore = GC.GetTotalPauseDuration();
        double seconds = Timed(() => subject.Fill());
        Take();
        Result("fill_seconds", seconds);
        Result("fill_rss", Take().Rss);
        Result("fill_gc_heap", GC.GetTotalMemory(false));
        Result("fill_gc_committed", GC.GetGCMemoryInfo().TotalCommittedBytes);
        Result("fill_gc_pause_ms", (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds);
        Result("fill_gen2_count", GC.CollectionCount(2));
        Result("fill_live_bytes", subject.LiveBytes);

        phase = "gen2";
        var times = new List<double>();
        for (int i = 0; i < ForcedCollections; i++)
        {
            times.Add(Timed(() => GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false)) * 1000);
        }

        times.Sort();
        Result("gen2_ms", times[ForcedCollections / 2]);
        Result("gen2_gc_heap", GC.GetTotalMemory(false));
        Take();

        phase = "delete90";
        Result("delete_seconds", Timed(() => subject.DeleteScattered()));
        Take();
        Result("delete_rss", Take().Rss);
        Result("live_bytes", subject.LiveBytes);

        phase = "compact";
        Result("compact_seconds", Timed(() => subject.Compact(msg => Emit(LogPrefix + msg))));
        Result("compact_rss", Take().Rss);
        Result("compact_heap_in_use", subject.Heap?.GetStats().InUseBytes ?? 0);
        Result("compact_heap_metadata", subject.Heap?.GetStats().MetadataBytes ?? 0);

        phase = "decay";
        Idle(settings, subject);
        Result("decay_rss", Take().Rss);
        Result("decay_heap_in_use", subject.Heap?.GetStats().InUseBytes ?? 0);
        Result("decay_heap_idle", subject.Heap?.GetStats().IdleBytes ?? 0);

        phase = "clear";
        Result("clear_seconds", Timed(() => subject.Clear()));
        Result("clear_rss", Take().Rss);

        phase = "decay2";
        Idle(settings, subject);

        // The harness's own garbage (sample lines, statistics reads) is not the structure's: collect it before the end,
        // as before the baseline (a forced collection, not an aggressive one: the GC keeps what it keeps).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Result("end_rss", Take().Rss);
        Result("end_heap_metadata", subject.Heap?.GetStats().MetadataBytes ?? 0);
        Result("end_gc_heap", GC.GetTotalMemory(false));
        stop.Set();
        sampler.Join();
        Result("peak_rss", Interlocked.Read(ref peak));
        return 0;
    }

    private static double Timed(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Idles for the decay plus a settle time, and on (up to 20 s more) while the heap still holds idle pages.</summary>
    private static void Idle(MemorySettings settings, Subject subject)
    {
        var idle = Stopwatch.StartNew();
        Thread.Sleep(settings.Decay + s_settle);
        while (subject.Heap?.GetStats() is { IdleBytes: > 1 << 20 } && idle.Elapsed < settings.Decay + s_settle + TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(s_interval);
        }
    }

    /// <summary>The whole life cycle once, on a small structure, so that the code is compiled before anything is measured.</summary>
    private static void WarmUp(MemoryVariant variant, MemorySettings settings)
    {
        using (var warm = Subject.Create(variant, settings with { Count = 20_000, Decay = TimeSpan.Zero }))
        {
            warm.Fill();
            warm.DeleteScattered();
            warm.Compact(_ => { });
            warm.Clear();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The structure under test: a dictionary, or a map on a heap of its own.</summary>
    private abstract class Subject : IDisposable
    {
        protected Subject(MemorySettings settings) => Settings = settings;

        public MemorySettings Settings { get; }

        public virtual SpanHeap? Heap => null;

        public long LiveBytes { get; protected set; }

        public static Subject Create(MemoryVariant variant, MemorySettings settings) =>
            variant.Native ? new MapSubject(variant, settings) : new DictionarySubject(settings);

        public abstract void Fill();

        public abstract void DeleteScattered();

        public abstract void Compact(Action<string> log);

        public abstract void Clear();

        public abstract void Dispose();
    }

    private sealed class DictionarySubject : Subject
    {
        private Dictionary<string, byte[]>? _dictionary = new();

        public DictionarySubject(MemorySettings settings)
            : base(settings)
        {
        }

        public override void Fill()
        {
            byte[] value = KeySet.Value(1, Settings.ValueSize);
            long live = 0;
            for (int i = 0; i < Settings.Count; i++)
            {
                string key = KeySet.String(i);
                _dictionary![key] = value.AsSpan().ToArray(); // the dictionary owns a copy, as a cache of payloads must
                live += key.Length + value.Length;
            }

            LiveBytes = live;
        }

        public override void DeleteScattered()
        {
            for (int i = 0; i < Settings.Count; i++)
            {
                if (i % 10 != 0)
                {
                    string key = KeySet.String(i);
                    _dictionary!.Remove(key);
                    LiveBytes -= key.Length + Settings.ValueSize;
                }
            }
        }

        public override void Compact(Action<string> log)
        {
            // The GC's best: a blocking, compacting full collection that also compacts the large object heap.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        public override void Clear()
        {
            _dictionary = null;
            LiveBytes = 0;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        public override void Dispose() => _dictionary = null;
    }

    private sealed class MapSubject : Subject
    {
        private readonly SpanHeap _heap;
        private readonly NativeBytesMap _map;
        private readonly CompactionChoice _compaction;

        public MapSubject(MemoryVariant variant, MemorySettings settings)
            : base(settings)
        {
            _heap = new SpanHeap(new SpanHeapOptions { Name = "bytes-memory", ScavengeDecay = settings.Decay });
            _compaction = variant.Compaction;
            _map = new NativeBytesMap(new NativeBytesMapOptions
            {
                Heap = _heap,
                Compaction = new CompactionOptions { Automatic = variant.Compaction == CompactionChoice.Automatic },
            });
        }

        public override SpanHeap? Heap => _heap;

        public override void Fill()
        {
            byte[] value = KeySet.Value(1, Settings.ValueSize);
            Span<byte> key = stackalloc byte[KeySet.MaxLength];
            for (int i = 0; i < Settings.Count; i++)
            {
                _map.Set(key[..KeySet.Write(i, key)], value);
            }

            LiveBytes = _map.KeyBytes + _map.ValueBytes;
        }

        public override void DeleteScattered()
        {
            Span<byte> key = stackalloc byte[KeySet.MaxLength];
            for (int i = 0; i < Settings.Count; i++)
            {
                if (i % 10 != 0)
                {
                    _map.Remove(key[..KeySet.Write(i, key)]);
                }
            }

            LiveBytes = _map.KeyBytes + _map.ValueBytes;
        }

        public override void Compact(Action<string> log)
        {
            if (_compaction != CompactionChoice.Explicit)
            {
                log(string.Create(CultureInfo.InvariantCulture, $"{_map.EntriesMoved:N0} entries moved by the automatic mode during the delete"));
                return;
            }

            var watch = Stopwatch.StartNew();
            long before = _map.EntriesMoved;
            long bytes = _map.Compact();
            double seconds = watch.Elapsed.TotalSeconds;
            long released = _heap.FreeOSMemory();
            long moved = _map.EntriesMoved - before;
            log(string.Create(CultureInfo.InvariantCulture,
                $"Compact(): {moved:N0} entries ({bytes / 1048576.0:F1} MiB) moved in {seconds * 1000:F0} ms ({(moved == 0 ? 0 : seconds * 1e9 / moved):F0} ns per entry); FreeOSMemory(): {released / 1048576.0:F1} MiB"));
        }

        public override void Clear()
        {
            _map.Clear();
            LiveBytes = 0;
        }

        public override void Dispose()
        {
            _map.Dispose();
            _heap.Dispose();
        }
    }
}
