namespace NativeMap;

/*
 * Read-modify-write under the shard lock: the general Update, and APPEND and INCRBY built on it. The entry keeps its
 * deadline (as Redis's APPEND and INCR keep the TTL); an absent or expired key counts as empty (APPEND) or 0 (INCR).
 */

public sealed unsafe partial class ConcurrentNativeBytesMap
{
    /// <summary>The longest decimal form of a 64-bit integer ("-9223372036854775808").</summary>
    private const int MaxInt64Digits = 20;

    /// <summary>
    /// Replaces the value of <paramref name="key"/> with one computed from it, atomically: <paramref name="sizer"/> sees
    /// the current value (or that there is none) and says the new length or declines; <paramref name="writer"/> writes
    /// the new value. Both run under the shard's lock (see their delegates for the rules). The deadline is kept; an
    /// absent key is added with none; a header, if any, is dropped.
    /// </summary>
    /// <returns>True when the value was written; false when the sizer declined (nothing changed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sizer"/> or <paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentException">The new value is longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public bool Update<TState>(ReadOnlySpan<byte> key, ref TState state, ValueSizer<TState> sizer, ValueWriter<TState> writer)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(sizer);
        ArgumentNullException.ThrowIfNull(writer);
        NativeBytesMap.CheckLengths(key.Length, 0);
        EvictBeforeWrite(MeasureOf(key.Length, 0, 0));
        ulong hash = Hash(key);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            _ = FindLive(shard, key, hash); // removes the key if it has expired: it then counts as absent
            NativeBytesMap map = shard.Map;
            map.BeginWrite();
            shard.InCallback = true;
            try
            {
                return map.UpdateCore(key, hash, ref state, sizer, writer, MetaFor(0, keepDeadline: true), out _);
            }
            finally
            {
                shard.InCallback = false;
                map.EndWrite();
                ReportUsage(shard);
            }
        }
    }

    /// <summary>Appends <paramref name="suffix"/> to the value of <paramref name="key"/> (an absent key counts as empty),
    /// keeping its deadline (Redis's APPEND).</summary>
    /// <returns>The value's new length.</returns>
    /// <exception cref="ArgumentException">The key, or the value with the suffix, would be longer than 512 MiB (nothing changed).</exception>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public long Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix)
    {
        var state = new AppendState(suffix);
        _ = Update(
            key,
            ref state,
            static (ReadOnlySpan<byte> current, bool exists, ref AppendState s) =>
            {
                long length = (long)current.Length + s.Suffix.Length;
                if (length > BytesEntry.MaxLength)
                {
                    BytesThrowHelper.ThrowValueTooLong(length, nameof(suffix));
                }

                s.Length = (int)length;
                return s.Length;
            },
            static (ReadOnlySpan<byte> current, Span<byte> destination, ref AppendState s) =>
            {
                current.CopyTo(destination); // in place this copies onto itself: a no-op
                s.Suffix.CopyTo(destination[current.Length..]);
            });
        return state.Length;
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the value of <paramref name="key"/> read as a base-10 64-bit integer (an absent key
    /// counts as 0), keeping its deadline (Redis's INCR, DECR, INCRBY, DECRBY). The value must be written as Redis writes
    /// integers: optional '-', no leading zeros, no '+', no spaces, at most 20 characters.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add.</param>
    /// <param name="value">The new value when <see cref="IncrementResult.Done"/>; otherwise 0.</param>
    /// <exception cref="OutOfMemoryException">The heap could not supply the memory (nothing changed).</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public IncrementResult Increment(ReadOnlySpan<byte> key, long delta, out long value)
    {
        var state = new IncrementState { Delta = delta };
        _ = Update(
            key,
            ref state,
            static (ReadOnlySpan<byte> current, bool exists, ref IncrementState s) =>
            {
                long old = 0;
                if (exists && !TryParseInteger(current, out old))
                {
                    s.Result = IncrementResult.NotAnInteger;
                    return -1;
                }

                if ((s.Delta > 0 && old > long.MaxValue - s.Delta) || (s.Delta < 0 && old < long.MinValue - s.Delta))
                {
                    s.Result = IncrementResult.Overflow;
                    return -1;
                }

                s.Value = old + s.Delta;
                Span<byte> digits = stackalloc byte[MaxInt64Digits];
                s.Value.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
                return length;
            },
            static (ReadOnlySpan<byte> current, Span<byte> destination, ref IncrementState s) =>
                s.Value.TryFormat(destination, out _, default, System.Globalization.CultureInfo.InvariantCulture));
        value = state.Result == IncrementResult.Done ? state.Value : 0;
        return state.Result;
    }

    /// <summary>Parses a 64-bit integer as Redis's string2ll accepts it.</summary>
    internal static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxInt64Digits)
        {
            return false;
        }

        if (text is [(byte)'0'])
        {
            return true;
        }

        bool negative = text[0] == '-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits[0] < '1' || digits[0] > '9')
        {
            return false;
        }

        ulong magnitude = 0;
        foreach (byte c in digits)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9 || magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    private ref struct AppendState
    {
        public ReadOnlySpan<byte> Suffix;
        public int Length;

        public AppendState(ReadOnlySpan<byte> suffix) => Suffix = suffix;
    }

    private struct IncrementState
    {
        public long Delta;
        public long Value;
        public IncrementResult Result;
    }
}
