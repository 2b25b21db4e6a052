using Xunit.Sdk;

namespace NativeMap.Tests.Infrastructure;

/// <summary>
/// Randomised model test: drives a <see cref="NativeMap{TKey, TValue}"/> and a <see cref="Dictionary{TKey, TValue}"/>
/// with the same operations and checks that they agree after each one, calling Validate() along the way. The run is a
/// sequence of phases (growing, shrinking, churning) so that every growth and shrink state is visited with reads,
/// writes and enumerations in flight. The seed is printed; NATIVEMAP_TEST_SEED replays it.
/// </summary>
public sealed partial class MapModel<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly Random _random;
    private readonly Func<Random, TKey> _nextKey;
    private readonly Func<Random, TValue> _nextValue;
    private readonly IEqualityComparer<TKey> _comparer;
    private readonly Dictionary<TKey, TValue> _model;
    private readonly NativeMap<TKey, TValue> _map;
    private readonly SpanHeap _heap;
    private readonly ITestOutputHelper _output;
    private readonly int _validateEvery;
    private int _insertPercent = 50;
    private int _removePercent = 25;

    private MapModel(ITestOutputHelper output, int seed, SpanHeap heap, NativeMap<TKey, TValue> map, Func<Random, TKey> nextKey, Func<Random, TValue> nextValue,
        IEqualityComparer<TKey>? comparer, int validateEvery)
    {
        _output = output;
        _random = new Random(seed);
        _heap = heap;
        _map = map;
        _nextKey = nextKey;
        _nextValue = nextValue;
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _model = new Dictionary<TKey, TValue>(_comparer);
        _validateEvery = validateEvery;
    }

    /// <summary>Statistics of a run, for assertions that the run reached the states it meant to.</summary>
    public sealed record Coverage(int Operations, int MaxCount, int EnumerationsDuringResize, int ShrinksSeen, int GrowthsSeen);

    /// <summary>Runs <paramref name="operations"/> random operations and returns what the run covered.</summary>
    public static Coverage Run(ITestOutputHelper output, int operations, Func<Random, TKey> nextKey, Func<Random, TValue> nextValue,
        IEqualityComparer<TKey>? comparer = null, int validateEvery = 500) =>
        Harness(output, new SpanHeapOptions(), nextKey, nextValue, comparer, validateEvery, run => run.Execute(operations));

    /// <summary>
    /// Runs <paramref name="body"/> on a fresh map over a private heap made with <paramref name="heapOptions"/>, prints
    /// the seed and what the run covered, then disposes the map and checks that every block went back to the heap.
    /// </summary>
    private static T Harness<T>(ITestOutputHelper output, SpanHeapOptions heapOptions, Func<Random, TKey> nextKey, Func<Random, TValue> nextValue,
        IEqualityComparer<TKey>? comparer, int validateEvery, Func<MapModel<TKey, TValue>, T> body)
    {
        int seed = TestSeed.Next(output);
        using var heap = new SpanHeap(heapOptions);
        var map = new NativeMap<TKey, TValue>(0, comparer, heap, new Random(seed ^ 0x5EED)); // hash seeds replay too
        var run = new MapModel<TKey, TValue>(output, seed, heap, map, nextKey, nextValue, comparer, validateEvery);
        try
        {
            T coverage = body(run);
            output.WriteLine(coverage?.ToString());
            map.Dispose();
            heap.Validate();
            Assert.Equal(0, heap.GetStats().LiveObjects);
            Assert.Equal(0, heap.GetStats().AllocatedBytes);
            heap.FreeOSMemory(); // drains the thread caches: every span goes back to the page level
            Assert.Equal(0, heap.GetStats().InUseBytes);
            heap.Validate();
            return coverage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new XunitException($"Model test failed with seed {seed} (replay: {TestSeed.Variable}={seed}): {e}");
        }
        finally
        {
            map.Dispose();
        }
    }

    private Coverage Execute(int operations)
    {
        int maxCount = 0;
        int resizeEnumerations = 0;
        int shrinks = 0;
        int growths = 0;
        int lastShift = _map.BucketShift;
        int phaseLeft = 0;
        for (int op = 0; op < operations; op++)
        {
            if (--phaseLeft <= 0)
            {
                NextPhase();
                phaseLeft = _random.Next(500, 6000);
            }

            Step(ref resizeEnumerations);
            Assert.Equal(_model.Count, _map.Count);
            maxCount = Math.Max(maxCount, _map.Count);
            if (_map.BucketShift < lastShift)
            {
                shrinks++;
            }
            else if (_map.BucketShift > lastShift)
            {
                growths++;
            }

            lastShift = _map.BucketShift;
            if (op % _validateEvery == 0)
            {
                _map.Validate();
            }
        }

        _map.Validate();
        CompareAll();
        return new Coverage(operations, maxCount, resizeEnumerations, shrinks, growths);
    }

    private void NextPhase()
    {
        switch (_random.Next(3))
        {
            case 0: // grow
                _insertPercent = 70;
                _removePercent = 10;
                break;
            case 1: // shrink
                _insertPercent = 10;
                _removePercent = 70;
                break;
            default: // churn
                _insertPercent = 40;
                _removePercent = 40;
                break;
        }
    }

    private void Step(ref int resizeEnumerations)
    {
        int dice = _random.Next(1000);
        if (dice < 2)
        {
            // Rare structural operations.
            switch (_random.Next(8))
            {
                case 0:
                    if (_random.Next(4) == 0)
                    {
                        _map.Clear();
                        _model.Clear();
                    }

                    break;
                case 1:
                    _map.TrimExcess();
                    _map.Validate();
                    break;
                case 2:
                    int capacity = _random.Next(_model.Count * 2 + 16);
                    int result = _map.EnsureCapacity(capacity);
                    Assert.True(result >= capacity, $"EnsureCapacity({capacity}) returned {result}");
                    _map.Validate();
                    break;
                case 3:
                case 4:
                    if (_map.IsEvacuating)
                    {
                        resizeEnumerations++;
                    }

                    EnumerateWithRemoves();
                    break;
                case 5:
                    CompareAll();
                    break;
                default:
                    if (_map.IsEvacuating)
                    {
                        resizeEnumerations++;
                    }

                    EnumerateWithRemoves();
                    break;
            }

            return;
        }

        Operate();
    }

    /// <summary>One insert, remove or lookup of a random key, in the proportions of the current phase.</summary>
    private void Operate()
    {
        int percent = _random.Next(100);
        TKey key = _nextKey(_random);
        if (percent < _insertPercent)
        {
            Insert(key);
        }
        else if (percent < _insertPercent + _removePercent)
        {
            Remove(key);
        }
        else
        {
            Lookup(key);
        }
    }

    private void Insert(TKey key)
    {
        TValue value = _nextValue(_random);
        bool present = _model.ContainsKey(key);
        switch (_random.Next(6))
        {
            case 5:
                SetBatch(key, value, _random.Next(4) == 0 ? _random.Next(1, 200) : _random.Next(1, 24));
                break;
            case 0:
                _map[key] = value;
                _model[key] = value;
                break;
            case 1:
                if (present)
                {
                    Assert.Throws<ArgumentException>(() => _map.Add(key, value));
                }
                else
                {
                    _map.Add(key, value);
                    _model.Add(key, value);
                }

                break;
            case 2:
                Assert.Equal(_model.TryAdd(key, value), _map.TryAdd(key, value));
                break;
            case 3:
                ref TValue slot = ref _map.GetValueRefOrAddDefault(key, out bool exists);
                Assert.Equal(present, exists);
                if (!exists)
                {
                    Assert.Equal(default, slot);
                }

                slot = value;
                _model[key] = value;
                break;
            default:
                ref TValue existing = ref _map.GetValueRefOrNullRef(key);
                Assert.Equal(present, !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref existing));
                if (present)
                {
                    existing = value;
                    _model[key] = value;
                }

                break;
        }
    }

    private void Remove(TKey key)
    {
        if (_random.Next(2) == 0)
        {
            Assert.Equal(_model.Remove(key), _map.Remove(key));
        }
        else
        {
            bool expected = _model.Remove(key, out TValue expectedValue);
            bool actual = _map.Remove(key, out TValue actualValue);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedValue, actualValue);
        }
    }

    private void Lookup(TKey key)
    {
        bool expected = _model.TryGetValue(key, out TValue expectedValue);
        switch (_random.Next(4))
        {
            case 3:
                LookupBatch(key, _random.Next(4) == 0 ? _random.Next(1, 200) : _random.Next(1, 40));
                break;
            case 0:
                Assert.Equal(expected, _map.TryGetValue(key, out TValue actual));
                Assert.Equal(expectedValue, actual);
                break;
            case 1:
                Assert.Equal(expected, _map.ContainsKey(key));
                break;
            default:
                if (expected)
                {
                    Assert.Equal(expectedValue, _map[key]);
                }
                else
                {
                    Assert.Throws<KeyNotFoundException>(() => _map[key]);
                }

                break;
        }
    }

    /// <summary>SetValues of a batch that starts with <paramref name="key"/> and may repeat keys (the last value wins).</summary>
    private void SetBatch(TKey key, TValue value, int length)
    {
        var keys = new TKey[length];
        var values = new TValue[length];
        keys[0] = key;
        values[0] = value;
        for (int i = 1; i < length; i++)
        {
            keys[i] = _random.Next(8) == 0 ? keys[_random.Next(i)] : _nextKey(_random);
            values[i] = _nextValue(_random);
        }

        _map.SetValues(keys, values);
        for (int i = 0; i < length; i++)
        {
            _model[keys[i]] = values[i];
        }
    }

    /// <summary>TryGetValues of a batch that starts with <paramref name="key"/>, hits, misses and repeats mixed.</summary>
    private void LookupBatch(TKey key, int length)
    {
        var keys = new TKey[length];
        keys[0] = key;
        for (int i = 1; i < length; i++)
        {
            keys[i] = _random.Next(8) == 0 ? keys[_random.Next(i)] : _nextKey(_random);
        }

        var values = new TValue[length + _random.Next(3)];
        var found = new bool[length + _random.Next(3)];
        int hits = _map.TryGetValues(keys, values, found);
        int expectedHits = 0;
        for (int i = 0; i < length; i++)
        {
            bool present = _model.TryGetValue(keys[i], out TValue expected);
            Assert.Equal(present, found[i]);
            Assert.Equal(expected, values[i]);
            expectedHits += present ? 1 : 0;
        }

        Assert.Equal(expectedHits, hits);
    }

    /// <summary>
    /// Enumerates while removing and overwriting; checks exactly-once against the model. The share of yielded keys
    /// removed, and of steps that remove some other random key, are drawn below the given maxima.
    /// </summary>
    private void EnumerateWithRemoves(int maxRemoveCurrentPercent = 90, int maxRemoveOtherPercent = 60)
    {
        var atStart = new HashSet<TKey>(_model.Keys, _comparer);
        var yielded = new HashSet<TKey>(_comparer);
        var removed = new HashSet<TKey>(_comparer);
        int removeCurrentPercent = _random.Next(0, maxRemoveCurrentPercent);
        int removeOtherPercent = _random.Next(0, maxRemoveOtherPercent);
        int overwritePercent = _random.Next(0, 30);
        int validateEvery = Math.Max(1, atStart.Count / 4);
        int steps = 0;
        foreach (KeyValuePair<TKey, TValue> entry in _map)
        {
            Assert.True(atStart.Contains(entry.Key), $"yielded {entry.Key}, which was not present at the start");
            Assert.True(yielded.Add(entry.Key), $"yielded {entry.Key} twice");
            Assert.False(removed.Contains(entry.Key), $"yielded {entry.Key} after it was removed");
            Assert.Equal(_model[entry.Key], entry.Value);

            if (_random.Next(100) < overwritePercent)
            {
                TValue value = _nextValue(_random);
                _map[entry.Key] = value;
                _model[entry.Key] = value;
            }

            if (_random.Next(100) < removeCurrentPercent)
            {
                Assert.True(_map.Remove(entry.Key));
                Assert.True(_model.Remove(entry.Key));
                removed.Add(entry.Key);
            }

            if (_random.Next(100) < removeOtherPercent)
            {
                TKey other = _nextKey(_random);
                bool was = _model.Remove(other);
                Assert.Equal(was, _map.Remove(other));
                if (was)
                {
                    removed.Add(other);
                }
            }

            if (++steps % validateEvery == 0)
            {
                _map.Validate();
            }
        }

        foreach (TKey key in atStart)
        {
            if (!removed.Contains(key))
            {
                Assert.True(yielded.Contains(key), $"{key} was present throughout but never yielded");
            }
        }
    }

    private void CompareAll()
    {
        Assert.Equal(_model.Count, _map.Count);
        var seen = new HashSet<TKey>(_comparer);
        foreach (KeyValuePair<TKey, TValue> entry in _map)
        {
            Assert.True(seen.Add(entry.Key));
            Assert.True(_model.TryGetValue(entry.Key, out TValue value), $"{entry.Key} is in the map, not in the model");
            Assert.Equal(value, entry.Value);
        }

        Assert.Equal(_model.Count, seen.Count);
        int keys = 0;
        foreach (TKey key in _map.Keys)
        {
            Assert.True(_model.ContainsKey(key));
            keys++;
        }

        int values = 0;
        foreach (TValue value in _map.Values)
        {
            values++;
        }

        Assert.Equal(_model.Count, keys);
        Assert.Equal(_model.Count, values);
    }
}
