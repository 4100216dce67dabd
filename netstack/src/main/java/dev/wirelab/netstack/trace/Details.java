package dev.wirelab.netstack.trace;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The detail of a trace event: an immutable, insertion-ordered map over one array of alternating
 * keys and values. Stacks emit several events per segment on the bulk-transfer path, so building
 * one must cost one small object, not a hash map per event; lookups scan the few entries.
 * A key given twice keeps its first position and takes the later value, as map puts would; since
 * that almost never happens, it is sorted out lazily, when the entries are first listed.
 */
final class Details extends AbstractMap<String, Object> {

    static final Details EMPTY = new Details(new Object[0], 0);

    private final Object[] keyValues; // k0, v0, k1, v1, ... (keys are Strings), maybe with repeated keys
    private final int pairs;
    private Details unique;           // this without repeated keys, made on first need (racy, idempotent)

    private Details(Object[] keyValues, int pairs) {
        this.keyValues = keyValues;
        this.pairs = pairs;
    }

    /** From alternating keys and values; the array is owned by the result afterwards. */
    static Details of(Object[] keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("details need key/value pairs");
        }
        int n = keyValues.length / 2;
        for (int i = 0; i < n; i++) {
            Object k = keyValues[2 * i];
            if (!(k instanceof String)) {
                keyValues[2 * i] = String.valueOf(k);
            }
        }
        return n == 0 ? EMPTY : new Details(keyValues, n);
    }

    static Details copyOf(Map<String, Object> m) {
        if (m instanceof Details d) {
            return d;
        }
        Object[] kv = new Object[m.size() * 2];
        int i = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            kv[i++] = Objects.requireNonNull(e.getKey(), "detail keys must not be null");
            kv[i++] = e.getValue();
        }
        Details d = i == 0 ? EMPTY : new Details(kv, i / 2);
        d.unique = d; // a map's keys are unique already
        return d;
    }

    /** This map without repeated keys. */
    private Details unique() {
        Details u = unique;
        if (u == null) {
            u = hasDuplicateKeys(keyValues, pairs) ? copyOf(asLinkedMap(keyValues, pairs)) : this;
            unique = u;
        }
        return u;
    }

    private static boolean hasDuplicateKeys(Object[] kv, int n) {
        for (int i = 1; i < n; i++) {
            Object k = kv[2 * i];
            int h = k.hashCode(); // cached by String: most pairs differ here, without comparing text
            for (int j = 0; j < i; j++) {
                Object o = kv[2 * j];
                if (o.hashCode() == h && o.equals(k)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Map<String, Object> asLinkedMap(Object[] kv, int n) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put((String) kv[2 * i], kv[2 * i + 1]);
        }
        return m;
    }

    @Override
    public int size() {
        Details u = unique();
        return u.pairs;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : keyValues[2 * i + 1];
    }

    /** The last pair with this key (the value a map would hold). */
    private int indexOf(Object key) {
        for (int i = pairs - 1; i >= 0; i--) {
            if (keyValues[2 * i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        Details u = unique();
        return u == this ? entries() : u.entries();
    }

    private Set<Map.Entry<String, Object>> entries() {
        int size = pairs;
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < size;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (i >= size) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Object> e = new SimpleImmutableEntry<>((String) keyValues[2 * i],
                                keyValues[2 * i + 1]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}
