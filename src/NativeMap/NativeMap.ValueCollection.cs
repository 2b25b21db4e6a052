using System.Collections;

namespace NativeMap;

public sealed partial class NativeMap<TKey, TValue>
{
    /// <summary>A live, read-only view of the values of a <see cref="NativeMap{TKey, TValue}"/>.</summary>
    public sealed class ValueCollection : ICollection<TValue>, IReadOnlyCollection<TValue>
    {
        private readonly NativeMap<TKey, TValue> _map;

        internal ValueCollection(NativeMap<TKey, TValue> map) => _map = map;

        /// <summary>The number of values.</summary>
        public int Count => _map.Count;

        bool ICollection<TValue>.IsReadOnly => true;

        /// <summary>Whether some key has this value (a linear scan).</summary>
        public bool Contains(TValue item) => _map.ContainsValue(item);

        /// <summary>Copies the values into <paramref name="array"/> from <paramref name="arrayIndex"/> on.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="arrayIndex"/> is out of range.</exception>
        /// <exception cref="ArgumentException">The values do not fit.</exception>
        public void CopyTo(TValue[] array, int arrayIndex)
        {
            _map.CheckCopyTo(array, arrayIndex);
            foreach (TValue value in this)
            {
                array[arrayIndex++] = value;
            }
        }

        /// <summary>An allocation-free enumerator of the values.</summary>
        public Enumerator GetEnumerator() => new(_map.GetEnumerator());

        IEnumerator<TValue> IEnumerable<TValue>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        void ICollection<TValue>.Add(TValue item) => ThrowHelper.ThrowNotSupported("The value collection of a map is read-only.");

        void ICollection<TValue>.Clear() => ThrowHelper.ThrowNotSupported("The value collection of a map is read-only.");

        bool ICollection<TValue>.Remove(TValue item)
        {
            ThrowHelper.ThrowNotSupported("The value collection of a map is read-only.");
            return false;
        }

        /// <summary>Enumerates the values; same rules as <see cref="NativeMap{TKey, TValue}.Enumerator"/>.</summary>
        public struct Enumerator : IEnumerator<TValue>
        {
            private NativeMap<TKey, TValue>.Enumerator _inner;

            internal Enumerator(NativeMap<TKey, TValue>.Enumerator inner) => _inner = inner;

            /// <summary>The value at the current position.</summary>
            public readonly TValue Current => _inner.Current.Value;

            readonly object IEnumerator.Current => ((IEnumerator)_inner).Current is KeyValuePair<TKey, TValue> entry ? entry.Value : default(TValue);

            /// <summary>Advances to the next value.</summary>
            public bool MoveNext() => _inner.MoveNext();

            /// <summary>Restarts the enumeration.</summary>
            public void Reset() => _inner.Reset();

            /// <summary>Does nothing.</summary>
            public readonly void Dispose()
            {
            }
        }
    }
}
