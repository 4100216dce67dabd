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
 * Keys are unique (a later duplicate replaces the earlier value, as a map put would).
 */
final class Details extends AbstractMap<String, Object> {

    static final Details EMPTY = new Details(new Object[0], 0);

    private final Object[] keyValues; // k0, v0, k1, v1, ... (keys are Strings)
    private final int size;

    private Details(Object[] keyValues, int size) {
        this.keyValues = keyValues;
        this.size = size;
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
        if (hasDuplicateKeys(keyValues, n)) {
            return copyOf(new java.util.LinkedHashMap<>(asLinkedMap(keyValues, n)));
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
        return i == 0 ? EMPTY : new Details(kv, i / 2);
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
        return size;
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

    private int indexOf(Object key) {
        for (int i = 0; i < size; i++) {
            if (keyValues[2 * i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
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
