package dev.wirelab.netstack.lab.topology;

import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A mapping from a topology file seen as an object with a fixed set of fields. Unknown fields are
 * reported when the view is made (with "did you mean" for near misses); the typed getters report
 * missing required fields and wrong types, and return null so reading can go on and find more.
 * Node kinds use it to read their own fields.
 */
public final class Fields {

    private final SourceNode.MapNode map;
    private final Problems problems;
    private final Set<String> allowed;

    /**
     * @param what     what the mapping is, for messages: "node 'r1'", "interface 'eth0'"
     * @param allowed  the fields this mapping may have
     * @param misplaced for a field not allowed here, why (e.g. "only kind dhcp has 'pool'"), or null
     */
    public Fields(SourceNode.MapNode map, Problems problems, String what, Collection<String> allowed,
                  Function<String, String> misplaced) {
        this.map = map;
        this.problems = problems;
        Set<String> ok = new LinkedHashSet<>(allowed);
        this.allowed = ok;
        for (SourceNode.Entry e : map.entries().values()) {
            if (ok.contains(e.key())) {
                continue;
            }
            String why = misplaced == null ? null : misplaced.apply(e.key());
            String message;
            if (why != null) {
                message = why;
            } else if ("<<".equals(e.key())) {
                message = "YAML merge keys ('<<') are not supported: write the fields out";
            } else {
                message = "unknown field '" + e.key() + "' in " + what + Names.didYouMean(e.key(), ok)
                        + " (allowed: " + Names.list(ok) + ")";
            }
            problems.add(new Problem(e.value().path(), message, e.line(), e.column()));
        }
    }

    public Fields(SourceNode.MapNode map, Problems problems, String what, Collection<String> allowed) {
        this(map, problems, what, allowed, null);
    }

    public SourceNode.MapNode map() {
        return map;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String field) {
        return map.entries().containsKey(field);
    }

    /** Path of {@code field} in this mapping (whether or not it is present). */
    public String path(String field) {
        return Paths.child(map.path(), field);
    }

    /** The raw value of {@code field}, or null (reporting it when required). YAML null counts as absent. */
    public SourceNode get(String field, boolean required) {
        if (!allowed.contains(field)) {
            throw new IllegalArgumentException("field not declared: " + field);
        }
        SourceNode.Entry e = map.entries().get(field);
        if (e == null || isNull(e.value())) {
            if (required) {
                if (e == null) {
                    problems.add(new Problem(path(field), "missing required field '" + field + "'",
                            map.line(), map.column()));
                } else {
                    problems.add(e.value(), "'" + field + "' must have a value");
                }
            }
            return null;
        }
        return e.value();
    }

    private static boolean isNull(SourceNode n) {
        return n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.NULL;
    }

    /** A string field; {@code expected} describes it in type errors ("a segment name"). */
    public String string(String field, boolean required, String expected) {
        SourceNode n = get(field, required);
        return n == null ? null : asString(n, expected);
    }

    /** {@code n} as a string, or null after reporting a type error. */
    public String asString(SourceNode n, String expected) {
        if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING) {
            return s.text();
        }
        String hint = n instanceof SourceNode.Scalar s
                && (s.type() == SourceNode.ScalarType.INTEGER || s.type() == SourceNode.ScalarType.DECIMAL
                || s.type() == SourceNode.ScalarType.BOOLEAN)
                ? " (quote it, \"" + s.text() + "\", if you mean the text)" : "";
        problems.add(n, "must be " + expected + ", got " + n.describe() + hint);
        return null;
    }

    public Boolean bool(String field, boolean required) {
        SourceNode n = get(field, required);
        if (n == null) {
            return null;
        }
        if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.BOOLEAN) {
            return Boolean.parseBoolean(s.text());
        }
        String hint = n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING
                && s.text().toLowerCase(java.util.Locale.ROOT).matches("y|n|yes|no|on|off")
                ? " (YAML 1.2 reads only true and false as booleans)" : "";
        problems.add(n, "must be true or false, got " + n.describe() + hint);
        return null;
    }

    /** An integer field in {@code min..max}. */
    public Long integer(String field, boolean required, long min, long max) {
        SourceNode n = get(field, required);
        return n == null ? null : asInteger(n, min, max);
    }

    public Long asInteger(SourceNode n, long min, long max) {
        if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.INTEGER) {
            BigInteger v = s.integer();
            if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
                problems.add(n, min == Long.MIN_VALUE && max == Long.MAX_VALUE
                        ? "must fit in 64 bits, got " + v : "must be from " + min + " to " + max + ", got " + v);
                return null;
            }
            return v.longValue();
        }
        String range = min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "a whole number (64-bit)"
                : "a whole number from " + min + " to " + max;
        problems.add(n, "must be " + range + ", got " + n.describe());
        return null;
    }

    /** A mapping field. */
    public SourceNode.MapNode mapping(String field, boolean required, String expected) {
        SourceNode n = get(field, required);
        return n == null ? null : asMapping(n, expected);
    }

    public SourceNode.MapNode asMapping(SourceNode n, String expected) {
        if (n instanceof SourceNode.MapNode m) {
            return m;
        }
        problems.add(n, "must be " + expected + ", got " + n.describe());
        return null;
    }

    /** A list field; a single value where a list is expected is an error, not silently wrapped. */
    public List<SourceNode> list(String field, boolean required, String expected) {
        SourceNode n = get(field, required);
        if (n == null) {
            return null;
        }
        if (n instanceof SourceNode.ListNode l) {
            return l.items();
        }
        problems.add(n, "must be " + expected + ", got " + n.describe());
        return null;
    }
}
