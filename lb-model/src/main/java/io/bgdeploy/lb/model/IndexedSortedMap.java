package io.bgdeploy.lb.model;

import org.pcollections.HashPMap;
import org.pcollections.HashTreePMap;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * An immutable map of values sorted by their key, with an index from a property of each value (an
 * attribute several values may share) to the keys of the values that have it. Both are persistent:
 * {@link #with} shares every entry it did not touch with the map it came from, so a change of a few
 * entries among thousands costs a few tree nodes, not a copy.
 *
 * @param <K> the key, in its natural order
 * @param <V> the values
 * @param <A> the indexed attribute; a value whose attribute is null is not indexed
 */
public final class IndexedSortedMap<K extends Comparable<? super K>, V, A> {

    private final Function<V, K> key;
    private final Function<V, A> attribute;
    private final TreePMap<K, V> values;
    private final HashPMap<A, TreePSet<K>> keysByAttribute;
    /** Built on first use: a map made by {@link #with} for a few changes is not copied whole into a list. */
    private List<V> list;

    private IndexedSortedMap(Function<V, K> key, Function<V, A> attribute, TreePMap<K, V> values,
                             HashPMap<A, TreePSet<K>> keysByAttribute) {
        this.key = key;
        this.attribute = attribute;
        this.values = values;
        this.keysByAttribute = keysByAttribute;
    }

    public static <K extends Comparable<? super K>, V, A> IndexedSortedMap<K, V, A> empty(Function<V, K> key,
                                                                                         Function<V, A> attribute) {
        return new IndexedSortedMap<>(key, attribute, TreePMap.empty(), HashTreePMap.empty());
    }

    /**
     * This map without the values of {@code removed} keys, then with {@code put} values added or
     * replacing the value of their key.
     */
    public IndexedSortedMap<K, V, A> with(Collection<K> removed, Collection<V> put) {
        TreePMap<K, V> next = values;
        HashPMap<A, TreePSet<K>> index = keysByAttribute;
        for (K k : removed) {
            V was = next.get(k);
            if (was != null) {
                next = next.minus(k);
                index = unindexed(index, attribute.apply(was), k);
            }
        }
        for (V v : put) {
            K k = key.apply(v);
            V was = next.get(k);
            if (was != null) {
                index = unindexed(index, attribute.apply(was), k);
            }
            next = next.plus(k, v);
            A a = attribute.apply(v);
            if (a != null) {
                index = index.plus(a, index.getOrDefault(a, TreePSet.empty()).plus(k));
            }
        }
        return new IndexedSortedMap<>(key, attribute, next, index);
    }

    private static <A, K extends Comparable<? super K>> HashPMap<A, TreePSet<K>> unindexed(HashPMap<A, TreePSet<K>> index,
                                                                                         A a, K k) {
        TreePSet<K> keys = a == null ? null : index.get(a);
        if (keys == null) {
            return index;
        }
        TreePSet<K> rest = keys.minus(k);
        return rest.isEmpty() ? index.minus(a) : index.plus(a, rest);
    }

    public Optional<V> get(K k) {
        return Optional.ofNullable(values.get(k));
    }

    public boolean containsKey(K k) {
        return values.containsKey(k);
    }

    /** The keys of the values whose attribute is {@code a}, sorted; empty when none has it. */
    public SortedSet<K> keysWith(A a) {
        return keysByAttribute.getOrDefault(a, TreePSet.empty());
    }

    /** The values whose key is in [{@code from}, {@code to}), in key order. */
    public Collection<V> range(K from, K to) {
        return values.subMap(from, to).values();
    }

    /** Every value, in key order. */
    public List<V> values() {
        List<V> copy = list;
        if (copy == null) {
            copy = List.copyOf(values.values());
            list = copy;
        }
        return copy;
    }

    public int size() {
        return values.size();
    }

    /** Equal when the values are: the index follows from them. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IndexedSortedMap<?, ?, ?> other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.values().toString();
    }
}
