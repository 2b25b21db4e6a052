using System.Collections;

namespace NativeMap;

public sealed partial class NativeMap<TKey, TValue>
{
    /// <summary>A live, read-only view of the keys of a <see cref="NativeMap{TKey, TValue}"/>.</summary>
    public sealed class KeyCollection : ICollection<TKey>, IReadOnlyCollection<TKey>
    {
        private readonly NativeMap<TKey, TValue> _map;

        internal KeyCollection(NativeMap<TKey, TValue> map) => _map = map;

        /// <summary>The number of keys.</summary>
        public int Count => _map.Count;

        bool ICollection<TKey>.IsReadOnly => true;

        /// <summary>Whether the map contains the key.</summary>
        public bool Contains(TKey item) => _map.ContainsKey(item);

        /// <summary>Copies the keys into <paramref name="array"/> from <paramref name="arrayIndex"/> on.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="arrayIndex"/> is out of range.</exception>
        /// <exception cref="ArgumentException">The keys do not fit.</exception>
        public void CopyTo(TKey[] array, int arrayIndex)
        {
            _map.CheckCopyTo(array, arrayIndex);
            foreach (TKey key in this)
            {
                array[arrayIndex++] = key;
            }
        }

        /// <summary>An allocation-free enumerator of the keys.</summary>
        public Enumerator GetEnumerator() => new(_map.GetEnumerator());

        IEnumerator<TKey> IEnumerable<TKey>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        void ICollection<TKey>.Add(TKey item) => ThrowHelper.ThrowNotSupported("The key collection of a map is read-only.");

        void ICollection<TKey>.Clear() => ThrowHelper.ThrowNotSupported("The key collection of a map is read-only.");

        bool ICollection<TKey>.Remove(TKey item)
        {
            ThrowHelper.ThrowNotSupported("The key collection of a map is read-only.");
            return false;
        }

        /// <summary>Enumerates the keys; same rules as <see cref="NativeMap{TKey, TValue}.Enumerator"/>.</summary>
        public struct Enumerator : IEnumerator<TKey>
        {
            private NativeMap<TKey, TValue>.Enumerator _inner;

            internal Enumerator(NativeMap<TKey, TValue>.Enumerator inner) => _inner = inner;

            /// <summary>The key at the current position.</summary>
            public readonly TKey Current => _inner.Current.Key;

            readonly object IEnumerator.Current => ((IEnumerator)_inner).Current is KeyValuePair<TKey, TValue> entry ? entry.Key : default(TKey);

            /// <summary>Advances to the next key.</summary>
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
