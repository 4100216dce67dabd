package dev.wirelab.netstack.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Header (or trailer) fields in the order they came: names compare case-insensitively
 * (RFC 9110 section 5.1), a name may occur more than once, and values keep their case.
 */
public final class HttpFields {

    /** One field line: name and value, the value without leading or trailing whitespace. */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final List<Field> fields = new ArrayList<>();

    public HttpFields() {
    }

    /** Fields from alternating names and values: {@code HttpFields.of("Host", "a", "Accept", "*}{@code /*")}. */
    public static HttpFields of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("fields need name/value pairs");
        }
        HttpFields f = new HttpFields();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            f.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return f;
    }

    public HttpFields copy() {
        HttpFields f = new HttpFields();
        f.fields.addAll(fields);
        return f;
    }

    /** Appends a field line. */
    public HttpFields add(String name, String value) {
        fields.add(new Field(name, value));
        return this;
    }

    /** Replaces every line of {@code name} with one. */
    public HttpFields set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    public HttpFields remove(String name) {
        fields.removeIf(f -> f.name.equalsIgnoreCase(name));
        return this;
    }

    /** The first value of {@code name}. */
    public Optional<String> get(String name) {
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                return Optional.of(f.value);
            }
        }
        return Optional.empty();
    }

    /** Every line's value of {@code name}, in order. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                out.add(f.value);
            }
        }
        return out;
    }

    /**
     * The comma-separated list elements of every line of {@code name}, trimmed, empty elements
     * dropped (RFC 9110 section 5.6.1: a recipient MUST accept and ignore empty elements).
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>();
        for (String v : all(name)) {
            for (String part : v.split(",")) {
                String t = part.strip();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Whether a list-valued field has {@code token} (case-insensitive), e.g. Connection: close. */
    public boolean hasToken(String name, String token) {
        for (String t : tokens(name)) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    public boolean contains(String name) {
        return get(name).isPresent();
    }

    public int size() {
        return fields.size();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public List<Field> asList() {
        return Collections.unmodifiableList(fields);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpFields h && h.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (Field f : fields) {
            b.append(b.length() > 1 ? ", " : "").append(f.name).append(": ").append(f.value);
        }
        return b.append('}').toString();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
